"""Disk full (issue 10), simulated by fakes at the ports: the run stops with one line naming the
problem and the fix, finished chunks stay, and ``--resume`` continues to the same result."""

from __future__ import annotations

import errno
from typing import Any

import pytest

from pose_app.options import InferenceOptions, TrackingOptions
from pose_app.ports.chunks import FrameRecord
from pose_app.ports.models import LoadedModel
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.track import TrackOnlyRequest, TrackOnlyUseCase
from pose_cli.errors import describe
from tests.fakes.chunks import InMemoryChunkStore
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)
from tests.fakes.predict import MemoryWriter


def _disk_full(path: str) -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", path)


class MemoryChunks(InMemoryChunkStore):
    """The in-memory chunk store, on a disk that fills up after ``room`` chunks."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    @property
    def chunks(self) -> list[list[FrameRecord]]:
        return list(self.disk.get("chunks", []))

    def append(self, records: list[FrameRecord]) -> None:
        if records and len(self.chunks) >= self.room:
            raise _disk_full(f"out.slp.partial/chunk_{len(self.chunks):06d}.npz")
        super().append(records)


def _positions(frame: int) -> list[tuple[float, float]]:
    return [(10.0 + 2 * frame, 20.0), (30.0, 40.0 - frame)]


def _use_case(source: FakeFrameSource, chunks: MemoryChunks) -> PredictUseCase:
    runtime = FakeRuntime(single_instance_spec(), _positions)
    return PredictUseCase(
        loader=FakeLoader({"single": LoadedModel(spec=runtime.spec, runtime=runtime)}),
        resizer=NearestResizer(), labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **kw: source, chunk_store_for=lambda out: chunks,
        writer=MemoryWriter(), chunk_size=2,
    )


def _request(resume: bool = False) -> PredictRequest:
    return PredictRequest(data_path="v.mp4", model_paths=("single",),
                          inference=InferenceOptions(batch_size=2), resume=resume,
                          output_path="out.slp")


def test_disk_full_while_persisting_chunks_then_resume():
    chunks = MemoryChunks(room=2)
    source = FakeFrameSource(n_frames=9)
    with pytest.raises(OSError) as info:
        _use_case(source, chunks)(_request())
    message, code = describe(info.value)
    assert code == 1
    assert message.startswith("disk full while writing out.slp.partial/chunk_000002.npz")
    assert "--resume" in message and "\n" not in message
    assert source.closed
    assert [r.frame_idx for c in chunks.chunks for r in c] == [0, 1, 2, 3]

    chunks.room = 100  # space freed
    resumed = _use_case(FakeFrameSource(n_frames=9), chunks)(_request(resume=True))
    full = _use_case(FakeFrameSource(n_frames=9), MemoryChunks(room=100))(_request())
    assert resumed.dataset.provenance["frame_selection"]["frames_resumed"] == 4
    assert full.dataset.provenance["frame_selection"]["frames_resumed"] == 0
    got = [(f.frame_idx, [i.points.tolist() for i in f.instances])
           for f in resumed.dataset.frames]
    want = [(f.frame_idx, [i.points.tolist() for i in f.instances]) for f in full.dataset.frames]
    assert got == want


class FullDiskStore(InMemoryLabelsStore):
    def save(self, dataset: Any, path: str) -> None:
        raise _disk_full(path)


def test_disk_full_while_writing_the_track_only_output():
    from tests.unit.app.test_track_only import dataset

    store = FullDiskStore({"in.slp": dataset()})
    use_case = TrackOnlyUseCase(store=store)
    with pytest.raises(OSError) as info:
        use_case(TrackOnlyRequest(input_path="in.slp", output_path="out.slp",
                                  tracking=TrackingOptions(), inference=InferenceOptions()))
    message, code = describe(info.value)
    assert code == 1 and message.startswith("disk full while writing out.slp")
    assert store.saved == {}
