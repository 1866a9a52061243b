"""The reference-exact online tracker (sleap-nn's ``Tracker``): frame by frame, greedy in time.

Per frame: compute features of the untracked instances, gather candidates (queued instances of
earlier frames, optionally shifted by optical flow), score every (instance, candidate) pair at
once, reduce per track, match (Hungarian or greedy, every pair accepted) and spawn new tracks
for the rest. Quirks kept on purpose for parity (ADR-0030): the fixed-window column order is
the iteration order of a Python ``set`` of track ids; unmatched instances that get no new track
are dropped; there is no similarity gate.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol

import attrs
import numpy as np

from pose_domain.defaults import (
    DEFAULT_OKS_STDDEV,
    DEFAULT_TRACKING_WINDOW_SIZE,
)
from pose_domain.errors import InvalidOptionError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.tracking.assign import match, scores_to_cost
from pose_domain.tracking.features import compute_features, visible_counts
from pose_domain.tracking.postprocess import (
    connect_single_breaks,
    cull_frame_instances,
    cull_instances,
)
from pose_domain.tracking.scoring import reduce_by_track, score_matrix


class PointFlow(Protocol):
    """Moves points from one image into another (optical flow; an adapter implements it)."""

    def shift(self, ref_image: Any, new_image: Any, points: np.ndarray) -> np.ndarray:
        """``points`` ``(k, 2)`` float64 in ``ref_image`` -> ``(k, 2)`` in ``new_image``.

        NaN for points the flow lost (and for NaN inputs).
        """
        ...


@attrs.frozen(kw_only=True)
class OnlineConfig:
    """Online tracker settings (the reference's names without the CLI prefixes).

    Attributes:
        window_size: Frames (fixed_window) or instances per track (local_queues) remembered.
        min_new_track_points: A new track needs strictly more visible nodes than this.
        candidates_method: ``fixed_window`` or ``local_queues``.
        min_match_points: A candidate needs strictly more visible nodes than this.
        features: ``keypoints``, ``centroids`` or ``bboxes``.
        scoring_method: ``oks``, ``iou``, ``euclidean_dist`` or ``cosine_sim``.
        scoring_reduction: ``mean``, ``max`` or ``robust_quantile``.
        robust_best_instance: Quantile for ``robust_quantile``.
        matching_method: ``hungarian`` or ``greedy``.
        max_tracks: Cap on track ids (local_queues only).
        oks_stddev: OKS spread.
        connect_single_breaks: Post-process single-frame breaks (needs ``target_count``).
        target_count: Target number of instances per frame (post-processing).
        clean_instance_count: Cull frames to this many instances after tracking (0 = off).
        clean_iou_threshold: Overlap threshold of that culling's NMS (0 = no NMS).
        pre_cull: Cull each frame to ``target_count`` before tracking it (needs a target).
        pre_cull_iou_threshold: Overlap threshold of the pre-cull's NMS (0 = scores only).
    """

    window_size: int = DEFAULT_TRACKING_WINDOW_SIZE
    min_new_track_points: int = 0
    candidates_method: str = "fixed_window"
    min_match_points: int = 0
    features: str = "keypoints"
    scoring_method: str = "oks"
    scoring_reduction: str = "mean"
    robust_best_instance: float = 1.0
    matching_method: str = "hungarian"
    max_tracks: int | None = None
    oks_stddev: float = DEFAULT_OKS_STDDEV
    connect_single_breaks: bool = False
    target_count: int | None = None
    clean_instance_count: int = 0
    clean_iou_threshold: float = 0.0
    pre_cull: bool = False
    pre_cull_iou_threshold: float = 0.0

    def __attrs_post_init__(self) -> None:
        if self.candidates_method not in ("fixed_window", "local_queues"):
            raise InvalidOptionError(
                f"--candidates_method {self.candidates_method} is unknown",
                hint="use fixed_window or local_queues",
            )
        if self.features == "image":
            raise InvalidOptionError(
                "--features image is not implemented (nor in sleap-nn)",
                hint="use keypoints, centroids or bboxes",
            )
        if self.connect_single_breaks and self.target_count is None:
            raise InvalidOptionError(
                "--post_connect_single_breaks needs a target instance count",
                hint="set --tracking_target_instance_count or --max_instances",
            )


@attrs.define(eq=False)
class _Entry:
    """Tracked instances of one frame (fixed_window) or one instance (local_queues).

    ``points`` ``(k, n_nodes, 2)``; ``feats`` their features; ``n_vis`` ``(k,)``;
    ``ids`` ``(k,)`` track ids.
    """

    points: np.ndarray
    feats: np.ndarray
    n_vis: np.ndarray
    ids: list[int]
    frame_idx: int
    image: Any = None


def attach(inst: Instance, track: Track | None, score: float) -> Instance:
    """A copy of ``inst`` on ``track`` (the tracking score is kept on predicted instances)."""
    if isinstance(inst, PredictedInstance):
        return inst.with_track(track, score)
    return attrs.evolve(inst, track=track)


class OnlineTracker:
    """Frame-by-frame tracker with the reference's candidate, scoring and matching rules.

    Call :meth:`track` once per frame in frame order, then :meth:`finalize` on all frames.
    """

    def __init__(self, config: OnlineConfig | None = None, flow: PointFlow | None = None) -> None:
        self.config = config or OnlineConfig()
        self.flow = flow
        self._tracks: dict[int, Track] = {}
        self._next_id = 0
        self._window: deque[_Entry] = deque(maxlen=self.config.window_size)
        self._queues: list[deque[_Entry]] = []

    # ---------------------------------------------------------------- public API
    @property
    def tracks(self) -> list[Track]:
        """Tracks in creation order."""
        return list(self._tracks.values())

    def track(
        self, instances: Sequence[Instance], frame_idx: int, image: Any = None
    ) -> list[Instance]:
        """Assign tracks to one frame's instances.

        Args:
            instances: The frame's instances (points ``(n_nodes, 2)``, NaN = missing).
            frame_idx: Frame index (frames must come in order).
            image: The frame (only used with optical flow).

        Returns:
            The instances that got a track (copies with ``track``/``tracking_score`` set), in
            input order; with ``local_queues`` on the very first frame, instances too small for
            a track are kept untracked. Others are dropped, as in the reference.
        """
        cfg = self.config
        if cfg.pre_cull and cfg.target_count:
            instances = cull_frame_instances(
                list(instances), cfg.target_count, cfg.pre_cull_iou_threshold
            )
        if self.config.candidates_method == "local_queues":
            return self._track_local(instances, frame_idx, image)
        return self._track_window(instances, frame_idx, image)

    def state(self) -> dict[str, Any]:
        """JSON-able snapshot (for ``--resume``): settings, tracks and candidate queues.

        Images are not kept: after a resume with ``--use_flow`` the queued candidates are
        scored unshifted until the window has refilled.
        """

        def entry(e: _Entry) -> dict[str, Any]:
            pts = [[[None if np.isnan(v) else float(v) for v in node] for node in inst]
                   for inst in e.points]
            return {"points": pts, "ids": list(e.ids), "frame_idx": int(e.frame_idx)}

        return {
            "kind": "online",
            "config": attrs.asdict(self.config),
            "next_id": self._next_id,
            "tracks": {str(k): t.name for k, t in self._tracks.items()},
            "window": [entry(e) for e in self._window],
            "queues": [[entry(e) for e in q] for q in self._queues],
        }

    @classmethod
    def from_state(
        cls,
        state: dict[str, Any],
        flow: PointFlow | None = None,
        tracks: dict[str, Track] | None = None,
    ) -> OnlineTracker:
        """Rebuild a tracker from :meth:`state`.

        Args:
            state: The snapshot.
            flow: Optical flow, as for a new tracker.
            tracks: Existing ``Track`` objects by name (e.g. read back from the partial
                output) so that resumed instances join the same objects.
        """
        tr = cls(OnlineConfig(**state["config"]), flow=flow)
        known = tracks or {}
        tr._tracks = {int(k): known.get(n) or Track(n) for k, n in state["tracks"].items()}
        tr._next_id = int(state["next_id"])

        def entry(d: dict[str, Any]) -> _Entry:
            pts = np.array(
                [[[np.nan if v is None else v for v in node] for node in inst]
                 for inst in d["points"]],
                dtype=np.float64,
            ).reshape(len(d["points"]), -1, 2)
            return _Entry(
                points=pts,
                feats=compute_features(pts, tr.config.features) if len(pts) else pts,
                n_vis=visible_counts(pts) if len(pts) else np.zeros(0, dtype=np.int64),
                ids=[int(i) for i in d["ids"]],
                frame_idx=int(d["frame_idx"]),
            )

        for d in state["window"]:
            tr._window.append(entry(d))
        for q in state["queues"]:
            dq: deque[_Entry] = deque(maxlen=tr.config.window_size)
            dq.extend(entry(d) for d in q)
            tr._queues.append(dq)
        return tr

    def reset(self) -> None:
        """Forget the candidates (call between videos; ADR-0031).

        The reference keeps one tracker across videos, so the last frames of one video are
        candidates for the first frame of the next. After a reset, fixed-window ids keep
        counting up (every identity is new); local-queue ids restart at 0 and reuse the same
        ``track_<id>`` objects, so a ``--max_tracks`` run names its identities alike in every
        video.
        """
        self._window.clear()
        self._queues = []

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        """Post-processing over the whole video (culling, single-break repair)."""
        cfg = self.config
        if not frames:
            return frames
        if cfg.clean_instance_count > 0:
            frames = cull_instances(frames, cfg.clean_instance_count, cfg.clean_iou_threshold)
            if not cfg.connect_single_breaks:
                frames = connect_single_breaks(frames)
        if cfg.connect_single_breaks:
            frames = connect_single_breaks(frames)
        return frames

    # ---------------------------------------------------------------- internals
    def _new_track(self, track_id: int) -> Track:
        track = self._tracks.get(track_id) or Track(f"track_{track_id}")
        self._tracks[track_id] = track
        self._next_id = max(self._next_id, track_id + 1)
        return track

    def _points(self, instances: Sequence[Instance]) -> np.ndarray:
        if not instances:
            return np.zeros((0, 0, 2))
        return np.stack([i.points for i in instances])

    def _candidate_arrays(
        self, entries: list[_Entry], image: Any
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Features ``(m, ...)``, unshifted visible counts ``(m,)`` and ids of candidates."""
        feats: list[np.ndarray] = []
        n_vis: list[np.ndarray] = []
        ids: list[int] = []
        shifted = self._shift_entries(entries, image) if image is not None else {}
        for e in entries:
            if not e.ids:
                continue
            moved = shifted.get(id(e))
            if moved is None:
                feats.append(e.feats)
            else:
                feats.append(compute_features(moved, self.config.features))
            n_vis.append(e.n_vis)
            ids.extend(e.ids)
        if not feats:
            return np.zeros((0,)), np.zeros(0, dtype=np.int64), []
        return np.concatenate(feats), np.concatenate(n_vis), ids

    @staticmethod
    def _window_tracks(entries: list[_Entry]) -> list[int]:
        """Track ids in the window, in the iteration order of a Python ``set`` (ADR-0030)."""
        return list({i for e in entries for i in e.ids})

    def _shift_entries(self, entries: list[_Entry], image: Any) -> dict[int, np.ndarray]:
        """Points of each entry moved into ``image`` by optical flow, one call per source frame.

        Lucas-Kanade tracks every point independently, so batching the points of all entries
        that share a source image gives the same result as one call per entry.
        """
        if self.flow is None:
            return {}
        groups: dict[int, list[_Entry]] = {}
        for e in entries:
            if e.image is not None and len(e.ids):
                groups.setdefault(id(e.image), []).append(e)
        out: dict[int, np.ndarray] = {}
        for group in groups.values():
            flat = np.concatenate([e.points.reshape(-1, 2) for e in group])
            moved = np.asarray(self.flow.shift(group[0].image, image, flat), dtype=np.float64)
            start = 0
            for e in group:
                size = e.points.shape[0] * e.points.shape[1]
                out[id(e)] = moved[start : start + size].reshape(e.points.shape)
                start += size
        return out

    def _scores(
        self, cur_feats: np.ndarray, cand_feats: np.ndarray, cand_vis: np.ndarray,
        columns: np.ndarray, n_cols: int,
    ) -> np.ndarray:
        cfg = self.config
        keep = cand_vis > cfg.min_match_points
        if not keep.all():
            cand_feats, columns = cand_feats[keep], columns[keep]
        sim = score_matrix(cfg.scoring_method, cur_feats, cand_feats, oks_stddev=cfg.oks_stddev)
        return reduce_by_track(
            sim, columns, n_cols, cfg.scoring_reduction, cfg.robust_best_instance
        )

    def _track_window(
        self, instances: Sequence[Instance], frame_idx: int, image: Any
    ) -> list[Instance]:
        cfg = self.config
        pts = self._points(instances)
        n_vis = visible_counts(pts) if len(instances) else np.zeros(0, dtype=np.int64)
        feats = compute_features(pts, cfg.features) if len(instances) else pts
        assigned: dict[int, tuple[int, float]] = {}
        if self._window:
            entries = list(self._window)
            current = self._window_tracks(entries)  # reference column order (ADR-0030)
            cand_feats, cand_vis, cand_ids = self._candidate_arrays(entries, image)
            if current and len(instances):
                col_of = {t: j for j, t in enumerate(current)}
                columns = np.fromiter((col_of[t] for t in cand_ids), np.int64, len(cand_ids))
                scores = self._scores(feats, cand_feats, cand_vis, columns, len(current))
                cost = scores_to_cost(scores)
                for r, c in match(cost, cfg.matching_method):
                    assigned[r] = (current[c], float(-cost[r, c]))
        for r in range(len(instances)):
            if r not in assigned and n_vis[r] > cfg.min_new_track_points:
                tid = self._next_id
                self._new_track(tid)
                assigned[r] = (tid, 1.0)
        rows = sorted(assigned)
        if self._window or rows:
            self._window.append(
                _Entry(
                    points=pts[rows] if rows else pts[:0],
                    feats=feats[rows] if rows else feats[:0],
                    n_vis=n_vis[rows] if rows else n_vis[:0],
                    ids=[assigned[r][0] for r in rows],
                    frame_idx=frame_idx,
                    image=image,
                )
            )
        return [
            attach(instances[r], self._tracks[assigned[r][0]], assigned[r][1]) for r in rows
        ]

    def _track_local(
        self, instances: Sequence[Instance], frame_idx: int, image: Any
    ) -> list[Instance]:
        cfg = self.config
        if not instances:
            return []
        pts = self._points(instances)
        n_vis = visible_counts(pts)
        feats = compute_features(pts, cfg.features)
        assigned: dict[int, tuple[int, float]] = {}
        first = not self._queues
        if not first:
            entries = [e for q in self._queues for e in q]
            cand_feats, cand_vis, cand_ids = self._candidate_arrays(entries, image)
            columns = np.asarray(cand_ids, dtype=np.int64)
            scores = self._scores(feats, cand_feats, cand_vis, columns, len(self._queues))
            cost = scores_to_cost(scores)
            for r, c in match(cost, cfg.matching_method):
                assigned[r] = (c, float(-cost[r, c]))
        out: list[Instance] = []
        for r, inst in enumerate(instances):
            if r not in assigned and n_vis[r] > cfg.min_new_track_points:
                tid = len(self._queues)
                if cfg.max_tracks is None or tid < cfg.max_tracks:
                    self._new_track(tid)
                    self._queues.append(deque(maxlen=cfg.window_size))
                    assigned[r] = (tid, 1.0)
            if r in assigned:
                tid, score = assigned[r]
                self._queues[tid].append(
                    _Entry(
                        points=pts[r : r + 1],
                        feats=feats[r : r + 1],
                        n_vis=n_vis[r : r + 1],
                        ids=[tid],
                        frame_idx=frame_idx,
                        image=image,
                    )
                )
                out.append(attach(inst, self._tracks[tid], score))
            elif first:
                out.append(attach(inst, None, 0.0))
        return out
