"""Memory back-off (issue 20, ADR-0133): out-of-memory halves the batch and retries the same
frames; results equal a run with the smaller batch from the start; batch 1 gives up."""

from __future__ import annotations

import numpy as np
import pytest

from pose_adapters._oom import is_out_of_memory, oom_as_domain
from pose_app.backoff import BackoffRuntime, with_backoff
from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.predict import PredictRequest, PredictUseCase
from pose_cli.errors import describe
from pose_domain.errors import InferenceError, RuntimeOutOfMemory
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)


def _positions(frame: int) -> list[tuple[float, float]]:
    return [(10.0 + 2 * frame, 20.0), (30.0, 40.0 - frame)]


class SmallMemoryRuntime(FakeRuntime):
    """A fake network whose device holds at most ``fits`` images per call."""

    def __init__(self, fits: int) -> None:
        super().__init__(single_instance_spec(), _positions)
        self.fits = fits
        self.sizes: list[int] = []

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        self.sizes.append(int(images.shape[0]))
        if images.shape[0] > self.fits:
            raise RuntimeOutOfMemory(f"out of memory on a batch of {images.shape[0]}",
                                     batch=int(images.shape[0]))
        return super().infer(images)


def _predict(runtime: object, batch_size: int, n_frames: int = 13) -> list[tuple]:
    model = LoadedModel(spec=single_instance_spec(), runtime=runtime)  # type: ignore[arg-type]
    use_case = PredictUseCase(
        loader=FakeLoader({"single": model}), resizer=NearestResizer(),
        labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **kw: FakeFrameSource(n_frames=n_frames),
    )
    result = use_case(PredictRequest(data_path="v.mp4", model_paths=("single",),
                                     inference=InferenceOptions(batch_size=batch_size)))
    return [(f.frame_idx, [(i.points.tolist(), i.point_scores.tolist(), i.score)
                           for i in f.instances]) for f in result.dataset.frames]


def test_runtime_failing_above_batch_2_gives_the_batch_2_result():
    warnings: list[str] = []
    small = SmallMemoryRuntime(fits=2)
    backoff = BackoffRuntime(small, warn=warnings.append)
    got = _predict(backoff, batch_size=8)
    assert got == _predict(FakeRuntime(single_instance_spec(), _positions), batch_size=2)
    assert len(got) == 13
    assert backoff.limit == 2
    assert small.sizes[:3] == [8, 4, 2], "halved, then retried from the same first frame"
    assert max(small.sizes[3:]) == 2, "later calls start at the remembered size"
    assert len(warnings) == 1 and "batches of 2" in warnings[0] and "batch of 8" in warnings[0]


def test_slices_start_at_the_first_image_like_a_smaller_batch():
    inner = SmallMemoryRuntime(fits=3)
    backoff = BackoffRuntime(inner, warn=lambda text: None)
    images = np.stack([np.full((1, 32, 32), i, np.uint8) for i in range(7)])
    out = backoff.infer(images)
    assert inner.sizes == [7, 3, 3, 1]
    expected = FakeRuntime(single_instance_spec(), _positions).infer(images)
    assert isinstance(out, NetworkOutputs)
    np.testing.assert_array_equal(out.confmaps, expected.confmaps)


def test_out_of_memory_at_batch_1_ends_with_one_line():
    backoff = BackoffRuntime(SmallMemoryRuntime(fits=0), warn=lambda text: None)
    with pytest.raises(RuntimeOutOfMemory) as info:
        _predict(backoff, batch_size=4)
    message, code = describe(info.value)
    assert code == 1 and "\n" not in message
    assert "even with a batch of 1" in message and "--device cpu" in message
    assert isinstance(info.value, InferenceError) and isinstance(info.value, MemoryError)


def test_with_backoff_wraps_once_and_keeps_the_name():
    inner = FakeRuntime(single_instance_spec(), _positions)
    wrapped = with_backoff(inner)
    assert with_backoff(wrapped) is wrapped and wrapped.name == "fake"
    assert wrapped.spec is inner.spec  # type: ignore[attr-defined]


class TorchLikeOOM(RuntimeError):
    pass


TorchLikeOOM.__name__ = "OutOfMemoryError"


@pytest.mark.parametrize("exc", [
    MemoryError(),
    TorchLikeOOM("CUDA out of memory. Tried to allocate 2.00 GiB"),
    RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Failed to allocate memory for "
                 "requested buffer of size 1073741824"),
    RuntimeError("Exception from src/inference/src/infer_request.cpp: std::bad_alloc"),
    RuntimeError("OOM when allocating tensor with shape[64,128,512,512]"),
])
def test_every_runtimes_out_of_memory_becomes_the_domain_error(exc):
    assert is_out_of_memory(exc)
    released: list[bool] = []
    with pytest.raises(RuntimeOutOfMemory) as info, oom_as_domain("onnx", 8,
                                                                  lambda: released.append(True)):
        raise exc
    assert info.value.batch == 8 and released == [True]


def test_other_failures_pass_through():
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    with pytest.raises(ValueError), oom_as_domain("onnx", 8):
        raise ValueError("bad input")


def test_onnx_adapter_reports_allocation_failure():
    from pose_adapters.onnx.runtime import OnnxRuntime

    class FailingSession:
        def run(self, names: list[str], feed: dict[str, np.ndarray]) -> list[np.ndarray]:
            raise RuntimeError("Failed to allocate memory for requested buffer of size 42")

    rt = OnnxRuntime.__new__(OnnxRuntime)
    rt._session = FailingSession()
    rt.output_keys = ("confmaps",)
    with pytest.raises(RuntimeOutOfMemory, match="batch of 3"):
        rt.infer(np.zeros((3, 1, 32, 32), np.uint8))
