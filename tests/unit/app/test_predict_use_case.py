"""PredictUseCase with fakes at every port: orchestration, frame selection, streaming."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.options import FrameSelection, InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.predict import PredictRequest, PredictUseCase
from pose_domain.errors import FrameSelectionError, IncompatibleModelsError
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)


def _positions(frame: int) -> list[tuple[float, float]]:
    return [(10.0 + 2 * frame, 20.0), (30.0, 40.0 - 2 * frame)]


def _use_case(source: FakeFrameSource, runtime: FakeRuntime) -> PredictUseCase:
    loader = FakeLoader({"single": LoadedModel(spec=runtime.spec, runtime=runtime)})
    return PredictUseCase(
        loader=loader,
        resizer=NearestResizer(),
        labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **kw: source,
    )


def test_single_instance_points_follow_the_network():
    spec = single_instance_spec()
    source = FakeFrameSource(n_frames=6)
    runtime = FakeRuntime(spec, _positions)
    uc = _use_case(source, runtime)
    result = uc(PredictRequest(data_path="v.mp4", model_paths=("single",),
                               inference=InferenceOptions(batch_size=4)))
    frames = result.dataset.frames
    assert [f.frame_idx for f in frames] == list(range(6))
    for f in frames:
        (inst,) = f.instances
        np.testing.assert_allclose(inst.points, _positions(f.frame_idx), atol=0.05)
        assert inst.score == pytest.approx(float(np.nansum(inst.point_scores)))
    assert runtime.calls == 2  # batches of 4 + 2
    assert source.closed


def test_frames_selects_exactly_those_frames():
    spec = single_instance_spec()
    source = FakeFrameSource(n_frames=20)
    uc = _use_case(source, FakeRuntime(spec, _positions))
    result = uc(PredictRequest(data_path="v.mp4", model_paths=("single",),
                               frames_spec="3,10-12"))
    assert [f.frame_idx for f in result.dataset.frames] == [3, 10, 11, 12]
    assert sorted(source.read_log) == [3, 10, 11, 12]


def test_frames_outside_video_is_an_input_error():
    spec = single_instance_spec()
    uc = _use_case(FakeFrameSource(n_frames=5), FakeRuntime(spec, _positions))
    with pytest.raises(FrameSelectionError):
        uc(PredictRequest(data_path="v.mp4", model_paths=("single",), frames_spec="10-20"))


def test_undecodable_frames_are_skipped_and_counted():
    spec = single_instance_spec()
    source = FakeFrameSource(n_frames=8, bad=[2, 5])
    uc = _use_case(source, FakeRuntime(spec, _positions))
    result = uc(PredictRequest(data_path="v.mp4", model_paths=("single",)))
    assert [f.frame_idx for f in result.dataset.frames] == [0, 1, 3, 4, 6, 7]
    assert result.frames_skipped == [(0, 2), (0, 5)]
    assert result.dataset.provenance["frame_selection"]["frames_skipped"] == 2


def test_two_models_of_one_type_are_rejected():
    spec = single_instance_spec()
    rt = FakeRuntime(spec, _positions)
    loader = FakeLoader({"a": LoadedModel(spec=spec, runtime=rt),
                         "b": LoadedModel(spec=spec, runtime=rt)})
    uc = PredictUseCase(loader=loader, resizer=NearestResizer(),
                        labels_store=InMemoryLabelsStore(),
                        open_video=lambda path, **kw: FakeFrameSource())
    with pytest.raises(IncompatibleModelsError):
        uc(PredictRequest(data_path="v.mp4", model_paths=("a", "b")))


def test_no_empty_frames_drops_frames_without_instances():
    spec = single_instance_spec()

    def positions(frame: int) -> list[tuple[float, float]]:
        return [(np.nan, np.nan)] * 2 if frame % 2 else _positions(frame)

    uc = _use_case(FakeFrameSource(n_frames=6), FakeRuntime(spec, positions))
    result = uc(PredictRequest(data_path="v.mp4", model_paths=("single",),
                               selection=FrameSelection(no_empty_frames=True)))
    assert [f.frame_idx for f in result.dataset.frames] == [0, 2, 4]
