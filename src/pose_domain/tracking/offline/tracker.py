"""The offline tracker object: collects frames, then solves each video (``--tracker global``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.tracking.offline.config import GlobalConfig
from pose_domain.tracking.offline.pipeline import Solution, solve
from pose_domain.tracking.offline.values import Pose
from pose_domain.tracking.online import attach


class GlobalTracker:
    """Whole-video tracker: :meth:`track` only collects; :meth:`finalize` assigns identities."""

    def __init__(self, config: GlobalConfig | None = None) -> None:
        self.config = config or GlobalConfig()
        self._tracks: list[Track] = []
        self._pending: set[int] = set()

    @property
    def tracks(self) -> list[Track]:
        """Identity tracks (``track_0`` ...), in order of first appearance."""
        return list(self._tracks)

    def track(
        self, instances: Sequence[Instance], frame_idx: int, image: Any = None
    ) -> list[Instance]:
        """Collect one frame; instances come back untracked (identities come in finalize)."""
        out = [attach(i, None, 0.0) for i in instances]
        self._pending.update(id(i) for i in out)
        return out

    def reset(self) -> None:
        """Nothing to forget between videos: :meth:`finalize` solves each video on its own."""

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        """Assign identities to the collected instances of ``frames`` (per video).

        Instances not collected by :meth:`track` pass through; collected ones come back on
        their identity's track, rebuilt from nodes, or not at all (outliers).
        """
        by_video: dict[int, list[int]] = {}
        for k, fr in enumerate(frames):
            by_video.setdefault(fr.video_index, []).append(k)
        out = list(frames)
        for positions in by_video.values():
            positions.sort(key=lambda k: frames[k].frame_idx)
            for k, fr in zip(positions, self._video([frames[k] for k in positions])):
                out[k] = fr
        self._pending.clear()
        return out

    def _get_track(self, i: int) -> Track:
        while len(self._tracks) <= i:
            self._tracks.append(Track(f"track_{len(self._tracks)}"))
        return self._tracks[i]

    def _video(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        rows = [[i for i in fr.instances if id(i) in self._pending] for fr in frames]
        if not any(rows):
            return frames
        points = [np.stack([i.points for i in r]) if r else np.zeros((0, 0, 2)) for r in rows]
        fidx = np.array([fr.frame_idx for fr in frames], dtype=np.int64)
        sol = solve(points, fidx, self.config)
        return [self._frame(f, fr, rows[f], sol) for f, fr in enumerate(frames)]

    def _frame(
        self, f: int, fr: LabeledFrame, rows: list[Instance], sol: Solution
    ) -> LabeledFrame:
        """Frame position ``f`` with its collected instances replaced by the solution's."""
        mine = {id(i): r for r, i in enumerate(rows)}
        insts: list[Instance] = []
        for inst in fr.instances:
            r = mine.get(id(inst))
            if r is None:
                insts.append(inst)
            elif (f, r) in sol.whole and (f, sol.whole[(f, r)]) not in sol.poses:
                insts.append(attach(inst, self._get_track(sol.whole[(f, r)]), 1.0))
        for (_, ident), pose in sorted(
            (kv for kv in sol.poses.items() if kv[0][0] == f), key=lambda kv: kv[0][1]
        ):
            if not pose.is_empty:
                insts.append(rebuilt(rows, pose, self._get_track(ident)))
        return attrs.evolve(fr, instances=insts)


def rebuilt(rows: list[Instance], pose: Pose, track: Track) -> PredictedInstance:
    """A predicted instance on ``track`` from nodes of several instances of one frame.

    Each node keeps the point score it had in its instance (1 for a user instance); the
    instance score is that of the instance most nodes come from.

    Args:
        rows: The frame's collected instances (the rows ``pose.owner`` indexes).
        pose: The rebuilt pose, ``(N, 2)`` points.
        track: Its identity.
    """
    owner, src_node = pose.owner, pose.source_node
    scores = np.full(len(owner), np.nan)
    for n, (o, sn) in enumerate(zip(owner.tolist(), src_node.tolist())):
        src = rows[o] if o >= 0 else None
        if isinstance(src, PredictedInstance):
            scores[n] = src.point_scores[sn]
        elif src is not None:
            scores[n] = 1.0
    present = owner[owner >= 0]
    main = rows[int(np.bincount(present).argmax())]
    score = main.score if isinstance(main, PredictedInstance) else 1.0
    return PredictedInstance.from_arrays(
        pose.points, np.nan_to_num(scores), score, track=track, tracking_score=1.0
    )
