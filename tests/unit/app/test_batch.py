"""Batch planning, the manifest and the batch use case with fakes at the ports (ADR-0060/61)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pose_app.batch import (
    BatchInput,
    BatchUseCase,
    Chunk,
    LocalExecutor,
    Manifest,
    plan_chunks,
    settings_fingerprint,
)
from pose_app.dataset import Dataset
from pose_domain.errors import InputNotFoundError, InvalidOptionError
from pose_domain.instance import LabeledFrame, PredictedInstance, Track


def test_plan_chunks_cover_the_range_with_warmup() -> None:
    chunks = plan_chunks(0, 1500, 500, 10)
    assert [(c.start, c.stop, c.warmup) for c in chunks] == [
        (0, 500, 0), (500, 1000, 10), (1000, 1500, 10)]
    assert chunks[1].first == 490 and chunks[1].key == "500-1000"
    assert [(c.start, c.stop) for c in plan_chunks(3, 8, 10, 4)] == [(3, 8)]
    assert plan_chunks(0, 7, 3, 9)[1].warmup == 3  # clipped to the previous chunk
    with pytest.raises(InvalidOptionError):
        plan_chunks(0, 10, 0, 0)


def test_manifest_round_trip_and_transitions() -> None:
    m = Manifest()
    m.entry("a.mp4", "a.slp")
    m.set_status("a.mp4", "running")
    m.set_status("a.mp4", "failed", "boom:\n  detail")
    assert m.entries["a.mp4"].reason == "boom: detail"
    m.set_status("a.mp4", "running")
    m.set_status("a.mp4", "done")
    assert m.entries["a.mp4"].reason is None and m.entries["a.mp4"].attempts == 2
    with pytest.raises(ValueError):
        m.set_status("a.mp4", "failed", "x")
    again = Manifest.from_dict(m.to_dict())
    assert again.entries["a.mp4"].status == "done"
    assert settings_fingerprint({"a": 1, "b": 2}) == settings_fingerprint({"b": 2, "a": 1})


class _Store:
    def __init__(self) -> None:
        self.data: dict[str, Any] | None = None

    def load(self) -> dict[str, Any] | None:
        return self.data

    def save(self, data: dict[str, Any]) -> None:
        self.data = data

    def update(self, change: Any) -> None:
        self.save(change(self.load()))


class _Labels:
    """In-memory LabelsStore."""

    def __init__(self, files: dict[str, Dataset]) -> None:
        self.files = files

    def load(self, path: str) -> Dataset:
        return self.files[path]

    def save(self, dataset: Dataset, path: str) -> None:
        self.files[path] = dataset

    def open_video(self, video: Any) -> Any:
        raise NotImplementedError


def _chunk_dataset(first: int, stop: int, local_name: str) -> Dataset:
    track = Track(local_name)
    frames = [LabeledFrame(video_index=0, frame_idx=i, instances=[PredictedInstance(
        points=np.array([[10.0, 10.0]]), point_scores=np.ones(1), track=track)])
        for i in range(first, stop)]
    return Dataset(frames=frames, tracks=[track], provenance={"frames_processed": stop - first})


def _use_case(files: dict[str, Dataset], work: Any, store: _Store) -> BatchUseCase:
    return BatchUseCase(
        executor=LocalExecutor(), work=work, manifest_store=store, labels_store=_Labels(files),
        exists=lambda p: p in files, remove=lambda p: files.pop(p, None),
        part_path=lambda out, ch: f"{out}#{ch.key}",
    )


def test_whole_inputs_run_once_failures_are_recorded_and_rerun() -> None:
    files: dict[str, Dataset] = {}
    calls: list[str] = []

    def work(job: Any, progress: Any) -> dict[str, Any]:
        calls.append(job.key)
        if job.input_path == "bad.mp4":
            raise InputNotFoundError("video not found: bad.mp4", hint="check the path")
        progress.advance(3)
        files[job.output_path] = Dataset()
        return {"frames": 3}

    store = _Store()
    inputs = [BatchInput(input_path=p, output_path=p + ".slp", frames=3)
              for p in ("a.mp4", "bad.mp4", "c.mp4")]
    report = _use_case(files, work, store)(inputs, "fp")
    assert set(report.done) == {"a.mp4", "c.mp4"}
    assert report.failed == {"bad.mp4": "video not found: bad.mp4 (check the path)"}
    entries = store.data["inputs"]  # type: ignore[index]
    assert entries["bad.mp4"]["status"] == "failed" and entries["a.mp4"]["status"] == "done"
    calls.clear()
    report = _use_case(files, work, store)(inputs, "fp", overwrite=True)
    assert calls == ["bad.mp4"]  # done with the same settings: skipped even with --overwrite
    assert set(report.skipped) == {"a.mp4", "c.mp4"}
    calls.clear()
    _use_case(files, work, store)(inputs, "other settings", overwrite=True)
    assert calls == ["a.mp4", "bad.mp4", "c.mp4"]


def test_chunks_merge_with_stitched_identities_and_resume_missing_chunks() -> None:
    files: dict[str, Dataset] = {}
    chunks = tuple(plan_chunks(0, 30, 10, 4))
    calls: list[str] = []

    def work(job: Any, progress: Any) -> dict[str, Any]:
        calls.append(job.chunk.key)
        if job.chunk.key == "20-30" and len(calls) == 3 and "crash" not in files:
            files["crash"] = Dataset()
            raise RuntimeError("worker lost")
        files[job.part_path] = _chunk_dataset(job.chunk.first, job.chunk.stop,
                                              f"track_{job.chunk.start}")
        return {"frames": job.chunk.stop - job.chunk.first}

    store = _Store()
    inp = [BatchInput(input_path="v.mp4", output_path="v.slp", chunks=chunks, frames=30)]
    report = _use_case(files, work, store)(inp, "fp")
    assert report.failed and "v.slp" not in files
    assert store.data["inputs"]["v.mp4"]["chunks"] == {  # type: ignore[index]
        "0-10": "done", "10-20": "done", "20-30": "pending"}
    calls.clear()
    report = _use_case(files, work, store)(inp, "fp")
    assert calls == ["20-30"] and report.done == ("v.mp4",)
    merged = files["v.slp"]
    assert [f.frame_idx for f in merged.frames] == list(range(30))
    assert {i.track.name for f in merged.frames for i in f.instances} == {"track_0"}
    assert merged.provenance["frames_processed"] == 30
    assert not any("#" in k for k in files)  # chunk outputs removed after the merge
    assert Chunk(start=0, stop=1).first == 0
