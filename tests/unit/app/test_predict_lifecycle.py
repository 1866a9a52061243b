"""The per-output lifecycle of PredictUseCase: resume → predict → write → clear, and stop on
request (RunInterrupted, then ``--resume`` gives the uninterrupted result)."""

from __future__ import annotations

import attrs
import pytest

from pose_app.options import InferenceOptions, TrackingOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.stop import StopFlag
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.track import build_tracker
from pose_domain.errors import RunInterrupted
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)
from tests.fakes.predict import ChunkStores, MemoryWriter, StopAfter

N_FRAMES = 23


def _positions(frame: int) -> list[tuple[float, float]]:
    return [(10.0 + frame, 20.0), (30.0, 40.0 - frame)]


def _use_case(source: FakeFrameSource, stores: ChunkStores, writer: MemoryWriter,
              stop=None) -> PredictUseCase:
    runtime = FakeRuntime(single_instance_spec(), _positions)
    extra = {"stop": stop} if stop is not None else {}
    return PredictUseCase(
        loader=FakeLoader({"single": LoadedModel(spec=runtime.spec, runtime=runtime)}),
        resizer=NearestResizer(), labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **kw: source,
        tracker_factory=lambda opts, n: build_tracker(opts, max_instances=n),
        chunk_store_for=stores, writer=writer, chunk_size=4, **extra,
    )


def _request(out: str = "out.slp", resume: bool = False) -> PredictRequest:
    return PredictRequest(data_path="v.mp4", model_paths=("single",),
                          inference=InferenceOptions(batch_size=3, queue_maxsize=2),
                          tracking=TrackingOptions(), resume=resume, output_path=out,
                          output_format="slp")


def _summary(dataset) -> list[tuple[int, list, list]]:
    return [(f.frame_idx, [i.points.tolist() for i in f.instances],
             [i.track.name if i.track else None for i in f.instances]) for f in dataset.frames]


def test_use_case_is_frozen():
    uc = _use_case(FakeFrameSource(), ChunkStores(), MemoryWriter())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        uc.chunk_size = 3  # type: ignore[misc]


def test_writes_each_output_and_clears_its_chunks():
    stores, writer = ChunkStores(), MemoryWriter()
    uc = _use_case(FakeFrameSource(n_frames=6), stores, writer)
    result = uc(_request("a.slp"))
    assert result.output_path == "a.slp"
    dataset, fmt = writer.written["a.slp"]
    assert dataset is result.dataset and fmt == "slp"
    assert stores.stores["a.slp"].cleared and stores.stores["a.slp"].chunks == []


def test_no_output_path_writes_and_persists_nothing():
    stores, writer = ChunkStores(), MemoryWriter()
    uc = _use_case(FakeFrameSource(n_frames=4), stores, writer)
    result = uc(attrs.evolve(_request(), output_path=None))
    assert result.output_path is None and writer.written == {} and stores.stores == {}
    assert len(result.dataset.frames) == 4


def test_stop_saves_every_predicted_frame_then_resume_equals_full_run():
    stores, writer = ChunkStores(), MemoryWriter()
    source = FakeFrameSource(n_frames=N_FRAMES)
    with pytest.raises(RunInterrupted) as info:
        _use_case(source, stores, writer, stop=StopAfter(source, 8))(_request())
    err = info.value
    saved = stores.stores["out.slp"].frames
    assert err.frames_total == N_FRAMES
    assert err.frames_saved == len(saved) and 0 < len(saved) < N_FRAMES
    assert err.last_frame_idx == saved[-1][1]
    assert saved == [(0, i) for i in range(len(saved))]  # a prefix, nothing lost
    assert "--resume" in err.one_line() and err.exit_code == 130
    assert writer.written == {} and not stores.stores["out.slp"].cleared
    assert source.closed

    resumed = _use_case(FakeFrameSource(n_frames=N_FRAMES), stores, writer)(
        _request(resume=True))
    full = _use_case(FakeFrameSource(n_frames=N_FRAMES), ChunkStores(), MemoryWriter())(
        _request())
    assert resumed.dataset.provenance["frame_selection"]["frames_resumed"] == len(saved)
    assert _summary(resumed.dataset) == _summary(full.dataset)
    assert [t.name for t in resumed.dataset.tracks] == [t.name for t in full.dataset.tracks]
    assert "out.slp" in writer.written


def test_stop_before_the_first_frame():
    stop = StopFlag()
    stop.set()
    stores = ChunkStores()
    with pytest.raises(RunInterrupted) as info:
        _use_case(FakeFrameSource(n_frames=5), stores, MemoryWriter(), stop=stop)(_request())
    assert (info.value.frames_saved, info.value.frames_total) == (0, 5)
    assert info.value.last_frame_idx is None
