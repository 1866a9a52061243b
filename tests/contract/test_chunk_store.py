"""ChunkStore contract: ``NpzChunkStore`` (a folder) and ``InMemoryChunkStore`` (a dict).

A second store over the same folder (or dict) plays the resumed run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pose_app.ports.chunks import ChunkStore, FrameRecord
from pose_domain.errors import InvalidOptionError
from tests.fakes import InMemoryChunkStore

#: ``() -> new store over the same place``.
Reopen = Callable[[], ChunkStore]


@pytest.fixture(params=["fake", "npz"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Reopen:
    if request.param == "fake":
        disk: dict[str, Any] = {}
        return lambda: InMemoryChunkStore(disk)
    from pose_adapters.chunks import NpzChunkStore, partial_dir_for

    folder = partial_dir_for(str(tmp_path / "out.slp"))
    return lambda: NpzChunkStore(folder)


FP = {"inputs": ["a.mp4"], "model": "m", "batch_size": 4, "frames": None}


def record(frame_idx: int, n: int, decoded: bool = True) -> FrameRecord:
    rng = np.random.default_rng(frame_idx)
    return FrameRecord(
        video_index=0, frame_idx=frame_idx, decoded=decoded,
        points=rng.normal(size=(n, 3, 2)), point_scores=rng.random((n, 3)),
        scores=rng.random(n), tracking_scores=rng.random(n),
        track_ids=np.arange(n, dtype=np.int64) - 1,
    )


def assert_same_records(got: list[FrameRecord], want: list[FrameRecord]) -> None:
    assert [(r.video_index, r.frame_idx, r.decoded) for r in got] == [
        (r.video_index, r.frame_idx, r.decoded) for r in want]
    for g, w in zip(got, want, strict=True):
        assert len(g.scores) == len(w.scores)
        if len(w.scores):
            for key in ("points", "point_scores", "scores", "tracking_scores", "track_ids"):
                np.testing.assert_array_equal(getattr(g, key), getattr(w, key), err_msg=key)
        assert np.asarray(g.track_ids).dtype == np.int64
        assert np.asarray(g.points).shape[0] == 0 or np.asarray(g.points).dtype == np.float64


def test_resume_returns_every_appended_record_in_order(reopen: Reopen) -> None:
    first = reopen()
    assert first.begin(FP, resume=False) == []
    chunks = [[record(0, 2), record(1, 0, decoded=False)], [record(2, 1)], []]
    for c in chunks:
        first.append(c)
    again = reopen()
    assert_same_records(again.begin(FP, resume=True), [r for c in chunks for r in c])
    again.append([record(3, 2)])
    assert [r.frame_idx for r in reopen().begin(FP, resume=True)] == [0, 1, 2, 3]


def test_other_settings_cannot_resume(reopen: Reopen) -> None:
    reopen().begin(FP, resume=False)
    with pytest.raises(InvalidOptionError) as info:
        reopen().begin({**FP, "batch_size": 8}, resume=True)
    assert info.value.hint and "\n" not in info.value.one_line()


def test_a_fresh_start_and_clear_discard_old_chunks(reopen: Reopen) -> None:
    store = reopen()
    store.begin(FP, resume=False)
    store.append([record(0, 1)])
    assert reopen().begin(FP, resume=False) == []
    assert reopen().begin(FP, resume=True) == []
    store = reopen()
    store.append([record(5, 1)])
    store.clear()
    assert reopen().begin(FP, resume=True) == []


def test_resume_without_a_previous_run_starts_empty(reopen: Reopen) -> None:
    store = reopen()
    assert store.begin(FP, resume=True) == []
    store.append([record(0, 1)])
    assert len(reopen().begin(FP, resume=True)) == 1
