"""ONNX Runtime / OpenVINO / TensorRT runtimes agree with the torch network (ADR-0050)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from pose_adapters.accel import available_runtimes, make_runtime  # noqa: E402
from pose_adapters.onnx.convert import conversion_key  # noqa: E402
from pose_app.network_outputs import NetworkOutputs  # noqa: E402
from pose_domain.errors import (  # noqa: E402
    DeviceUnavailableError,
    InvalidOptionError,
    MissingExtraError,
    PoseInputError,
)
from tests.integration.runtimes.synthetic import tiny  # noqa: E402

MODELS = Path(__file__).parents[2] / "data" / "models"
HAS_OPENVINO = importlib.util.find_spec("openvino") is not None
ATOL = 1e-4


def torch_reference(net, images: np.ndarray, in_channels: int) -> dict[str, np.ndarray]:
    """What the checkpoint path computes: /255, then the reference's channel fix."""
    x = torch.from_numpy(images).float() / 255.0
    if x.shape[1] != in_channels:
        if in_channels == 3:
            x = x.repeat(1, 3, 1, 1)
        else:
            x = 0.2989 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    with torch.no_grad():
        return {k: v.numpy() for k, v in net(x).items()}


def assert_close(outputs: NetworkOutputs, want: dict, atol: float = ATOL) -> None:
    assert isinstance(outputs, NetworkOutputs)
    got = outputs.named()
    assert set(got) == set(want)
    for k, w in want.items():
        assert got[k].dtype == np.float32
        assert got[k].shape == w.shape, k
        np.testing.assert_allclose(got[k], w, atol=atol, rtol=0, err_msg=k)


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory) -> str:
    """One cache for tests that only read through it (onnx and openvino share conversions)."""
    return str(tmp_path_factory.mktemp("pose-cache"))


KINDS = ["onnx", pytest.param("openvino", marks=pytest.mark.skipif(
    not HAS_OPENVINO, reason="openvino not installed"))]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("model_type", "in_channels"),
    [("bottomup", 1), ("multi_class_topdown", 3), ("multi_class_bottomup", 1)],
)
def test_runtime_matches_torch_for_any_size_and_channel_count(
    shared_cache, kind, model_type, in_channels
):
    spec, net = tiny(in_channels, model_type)
    rt = make_runtime(kind, net, spec, cache_dir=shared_cache)
    assert rt.name == kind
    rng = np.random.default_rng(0)
    for shape in [(1, 1, 64, 64), (3, 3, 48, 80), (2, in_channels, 32, 96), (0, 1, 32, 32)]:
        images = rng.integers(0, 256, size=shape, dtype=np.uint8)
        assert_close(rt.infer(images), torch_reference(net, images, in_channels))


def test_conversion_is_cached_and_keyed_by_weights(tmp_path):
    spec, net = tiny(1, "bottomup", seed=0)
    make_runtime("onnx", net, spec, cache_dir=str(tmp_path))
    files = sorted((tmp_path / "onnx").glob("*/model.onnx"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    # Same weights reached again (even through another path): cache hit, file untouched.
    spec2, net2 = tiny(1, "bottomup", seed=0)
    import attrs

    make_runtime("onnx", net2, attrs.evolve(spec2, path="elsewhere"), cache_dir=str(tmp_path))
    assert sorted((tmp_path / "onnx").glob("*/model.onnx")) == files
    assert files[0].stat().st_mtime_ns == stamp
    # Retrained weights: a new entry.
    spec3, net3 = tiny(1, "bottomup", seed=1)
    assert conversion_key(net3, spec3) != conversion_key(net, spec)
    make_runtime("onnx", net3, spec3, cache_dir=str(tmp_path))
    assert len(list((tmp_path / "onnx").glob("*/model.onnx"))) == 2


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("POSE_CACHE_DIR", str(tmp_path / "env"))
    spec, net = tiny(1, "centroid")
    make_runtime("onnx", net, spec)
    assert list((tmp_path / "env" / "onnx").glob("*/model.onnx"))


def test_available_runtimes_prefers_fast_cpu_runtimes():
    cpu = available_runtimes("cpu")
    assert cpu[-1] == "torch"
    assert "onnx" in cpu
    assert ("openvino" in cpu) == HAS_OPENVINO
    if HAS_OPENVINO:
        assert cpu.index("openvino") < cpu.index("onnx")
    assert available_runtimes("cpu", "fp16") == ["torch"]
    assert available_runtimes("cuda")[-1] == "torch"


def test_bad_requests_fail_with_one_line_fix(tmp_path):
    spec, net = tiny(1, "centroid")
    with pytest.raises(InvalidOptionError, match="unknown runtime"):
        make_runtime("tflite", net, spec, cache_dir=str(tmp_path))
    with pytest.raises(InvalidOptionError, match="fp32 only"):
        make_runtime("onnx", net, spec, precision="bf16", cache_dir=str(tmp_path))
    with pytest.raises(PoseInputError) as info:
        make_runtime("openvino", net, spec, device="cuda", cache_dir=str(tmp_path))
    assert isinstance(info.value, DeviceUnavailableError | MissingExtraError)
    with pytest.raises(PoseInputError) as info:
        make_runtime("tensorrt", net, spec, device="cpu", cache_dir=str(tmp_path))
    assert isinstance(info.value, DeviceUnavailableError | MissingExtraError)
    assert "\n" not in info.value.one_line() and info.value.hint
    assert not list(tmp_path.rglob("*.onnx")), "no conversion before the request is validated"


@pytest.mark.skipif(not HAS_OPENVINO, reason="openvino not installed")
def test_openvino_bf16_is_close_and_says_what_it_runs(tmp_path, caplog):
    """Native bf16: close to torch, heads kept f32. No native bf16: runs f32, bit for bit the
    fp32 runtime, and says so (ADR-0182)."""
    from pose_adapters.openvino.runtime import cpu_supports_bf16

    spec, net = tiny(1, "bottomup")
    images = np.random.default_rng(0).integers(0, 256, (2, 1, 64, 64), dtype=np.uint8)
    rt = make_runtime("openvino", net, spec, precision="bf16", cache_dir=str(tmp_path))
    if not cpu_supports_bf16():
        assert rt.executes == "openvino f32 (bf16 asked; this CPU has no native bf16)"
        assert any("no native bf16" in r.getMessage() for r in caplog.records)
        exact = make_runtime("openvino", net, spec, precision="fp32", cache_dir=str(tmp_path))
        for key, value in exact.infer(images).named().items():
            np.testing.assert_array_equal(rt.infer(images).named()[key], value)
        return
    assert rt.executes.startswith("openvino bf16 (") and "heads f32" in rt.executes
    assert_close(rt.infer(images), torch_reference(net, images, 1), atol=0.05)


def _gpu_trt() -> bool:
    return importlib.util.find_spec("tensorrt") is not None and torch.cuda.is_available()


@pytest.mark.gpu
@pytest.mark.skipif(not _gpu_trt(), reason="needs an NVIDIA GPU and the tensorrt package")
@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_tensorrt_matches_torch(tmp_path, precision):
    spec, net = tiny(1, "bottomup")
    rt = make_runtime("tensorrt", net, spec, device="cuda", precision=precision,
                      cache_dir=str(tmp_path))
    images = np.random.default_rng(0).integers(0, 256, (4, 1, 64, 64), dtype=np.uint8)
    assert_close(rt.infer(images), torch_reference(net, images, 1),
                 atol=1e-3 if precision == "fp32" else 2e-2)
    engines = list((tmp_path / "tensorrt").glob("*.engine"))
    make_runtime("tensorrt", net, spec, device="cuda", precision=precision,
                 cache_dir=str(tmp_path))
    assert list((tmp_path / "tensorrt").glob("*.engine")) == engines


# --- the fixture models, through H1's builder -------------------------------------------------
FIXTURES = ["sleapnn/centroid", "sleapnn/bottomup", "sleapnn/multiclass_centered_instance",
            "legacy/minimal_instance.UNet.centered_instance"]


@pytest.mark.slow
@pytest.mark.parametrize("model", FIXTURES)
def test_fixture_models_match_torch(shared_cache, model):
    network = pytest.importorskip("pose_adapters.torch.network")
    spec, net = network.build_network(str(MODELS / model))
    s = spec.max_stride
    images = np.random.default_rng(0).integers(
        0, 256, (2, spec.in_channels, 4 * s, 6 * s), dtype=np.uint8
    )
    want = torch_reference(net, images, spec.in_channels)
    kinds = ["onnx", "openvino"] if HAS_OPENVINO else ["onnx"]
    for kind in kinds:
        rt = make_runtime(kind, net, spec, cache_dir=shared_cache)
        assert_close(rt.infer(images), want)
