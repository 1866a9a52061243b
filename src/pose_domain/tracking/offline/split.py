"""Stage ``split``: a frame's working rows, with instances that join several animals split.

An instance larger than ``max_size_ratio`` body sizes joins nodes of different animals. It is
split into groups of nodes chained by short steps; each group of plausible size is tracked as
a partial pose worth its share of the instance's nodes. What stays too large (or does not
split) is kept as an untracked row: its nodes still go to node re-assignment.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pose_domain.matching import linked_groups
from pose_domain.tracking.offline.config import SplitConfig
from pose_domain.tracking.offline.values import FrameRows, pose_size


def node_groups(points: NDArray[np.float64], gap: float) -> list[NDArray[np.float64]]:
    """Split one pose into groups of nodes chained by steps of at most ``gap`` px.

    Single linkage over the visible nodes (:func:`pose_domain.matching.linked_groups`).

    Args:
        points: ``(N, 2)`` px, NaN = missing.
        gap: Largest step, px.

    Returns:
        One ``(N, 2)`` pose per group, the other nodes missing (NaN), largest group first.
    """
    vis = np.flatnonzero(~np.isnan(points).any(axis=-1))
    label = linked_groups(points[vis], gap)
    groups = sorted((vis[label == g] for g in np.unique(label)), key=len, reverse=True)
    out = []
    for g in groups:
        q = np.full_like(points, np.nan)
        q[g] = points[g]
        out.append(q)
    return out


def frame_rows(
    points: NDArray[np.float64], size: NDArray[np.float64], body: float, cfg: SplitConfig
) -> FrameRows:
    """One frame's working rows: trackable first, then oversized rows nobody tracks.

    Args:
        points: ``(n, N, 2)`` px, the frame's instances, NaN = missing.
        size: ``(n,)`` their :func:`~pose_domain.tracking.offline.values.pose_size`, px.
        body: Body size, px.
        cfg: Split settings.

    Returns:
        The frame's :class:`FrameRows`; without an oversized instance, the instances as they
        are (``origin`` = their rows, no part, weight 1).
    """
    n = len(points)
    limit = cfg.max_size_ratio * body
    big = (size * 2 > limit) if cfg.max_size_ratio and n else np.zeros(n, dtype=bool)
    if not big.any():
        return FrameRows(points, np.arange(n), np.zeros(n, dtype=bool), np.ones(n))
    whole = np.flatnonzero(~big).tolist()
    track: list[tuple[NDArray[np.float64], int, float]] = [(points[r], r, 1.0) for r in whole]
    rest: list[tuple[NDArray[np.float64], int]] = []
    for r in np.flatnonzero(big).tolist():
        groups = node_groups(points[r], cfg.gap * body) if cfg.enabled else [points[r]]
        n_vis = int((~np.isnan(points[r]).any(axis=-1)).sum())
        for q in groups:
            if len(groups) > 1 and not pose_size(q[None])[0] * 2 > limit:
                track.append((q, r, (~np.isnan(q).any(axis=-1)).sum() / n_vis))
            else:
                rest.append((q, r))
    rows = np.stack([q for q, _, _ in track] + [q for q, _ in rest])
    origin = np.array([r for _, r, _ in track] + [r for _, r in rest], dtype=np.int64)
    is_part = np.arange(len(track)) >= len(whole)
    return FrameRows(rows, origin, is_part, np.array([w for _, _, w in track]))
