"""Resume records: a processed frame ↔ its persisted form, and the chunked writer.

Records hold untracked predictions (tracks only where the stage itself assigns identities,
multi-class models): ``--resume`` replays tracking over them, which is cheap and deterministic
(ADR-0014).
"""

from __future__ import annotations

import numpy as np

from pose_app.pipeline import FrameResult
from pose_app.ports.chunks import ChunkStore, FrameRecord
from pose_app.ports.progress import NullProgress, ProgressReporter
from pose_domain.instance import PredictedInstance, Track


def frame_record(res: FrameResult, tracks: list[Track]) -> FrameRecord:
    """``res`` as a record; ``tracks`` are the stage's own tracks (ids index into them)."""
    insts = res.instances
    n_nodes = insts[0].n_nodes if insts else 0
    ids = {id(t): i for i, t in enumerate(tracks)}
    return FrameRecord(
        video_index=res.job.video_index,
        frame_idx=res.job.frame_idx,
        decoded=res.decoded,
        points=np.stack([i.points for i in insts]) if insts else np.zeros((0, n_nodes, 2)),
        point_scores=(np.stack([i.point_scores for i in insts]) if insts
                      else np.zeros((0, n_nodes))),
        scores=np.array([i.score for i in insts], np.float64),
        tracking_scores=np.array([i.tracking_score for i in insts], np.float64),
        track_ids=np.array([ids.get(id(i.track), -1) for i in insts], np.int64),
    )


def instances_from_record(rec: FrameRecord, tracks: list[Track]) -> list[PredictedInstance]:
    """The predictions of a record, on the stage's ``tracks`` (ids outside them: no track)."""
    out = []
    for k in range(len(rec.scores)):
        tid = int(rec.track_ids[k])
        out.append(PredictedInstance(
            points=rec.points[k], point_scores=rec.point_scores[k], score=float(rec.scores[k]),
            track=tracks[tid] if 0 <= tid < len(tracks) else None,
            tracking_score=float(rec.tracking_scores[k]),
        ))
    return out


class ChunkWriter:
    """Buffers records and appends them to a chunk store ``chunk_size`` at a time.

    Attributes:
        saved: Frames in the store: those restored at the start plus those appended since,
            reported to ``progress.saved`` at the start and after every non-empty append
            (ADR-0134); None for ``progress`` reports nothing (a run that persists nothing).
    """

    def __init__(self, store: ChunkStore, chunk_size: int, restored: int = 0,
                 progress: ProgressReporter | None = None) -> None:
        self.store = store
        self.chunk_size = chunk_size
        self.saved = restored
        self.progress = progress or NullProgress()
        self._pending: list[FrameRecord] = []
        self.progress.saved(self.saved)

    def add(self, record: FrameRecord) -> None:
        self._pending.append(record)
        if len(self._pending) >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        """Append what is buffered (an empty append is a no-op for the stores)."""
        self.store.append(self._pending[:])
        self.saved += len(self._pending)
        if self._pending:
            self._pending.clear()
            self.progress.saved(self.saved)
