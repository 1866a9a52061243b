"""Stage ``link``: the K identities as K node-disjoint minimum-cost paths over tracklets.

Tracklets are the nodes of a DAG (in order of their first frame); each one is a reward (its
instances covered). An edge joins a tracklet to every later one starting within ``max_gap``
frames, plus the first few long ones further away (long absences). Its cost is motion
continuity: the constant-velocity extrapolation of each end towards the other, Gaussian in the
mean node error with a spread growing as the square root of the gap, capped so a teleport
stays affordable, plus a body-size term (animals differ in size). The min-cost flow of
:func:`pose_domain.tracking.paths.disjoint_paths` picks the ``K`` paths.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pose_domain.distance import mean_node_distance
from pose_domain.tracking.offline.config import LinkConfig
from pose_domain.tracking.offline.values import (
    Assignment,
    Scales,
    Tracklet,
    pose_size,
    visible,
)
from pose_domain.tracking.paths import disjoint_paths

#: Largest motion cost of an edge (in rewards of one instance): a jump costs at most this.
COST_CAP = 30.0
#: Beyond ``max_gap``, the first this-many later tracklets of at least ``LONG_LENGTH``
#: instances are possible successors too (an animal lost for long).
LONG_LINKS = 20
LONG_LENGTH = 5
#: Tracklet velocity: mean over at most this many frames at each end.
VELOCITY_FRAMES = 5
#: Spread of the body-size term, in body sizes; the term is capped at 3 spreads.
SIZE_SPREAD = 0.1


def end_pose(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pose at the start of a tracklet: each node where it is first seen.

    Args:
        points: ``(T, N, 2)`` px, NaN = missing, in the order to read (reversed for the end).

    Returns:
        ``(N, 2)``; NaN for nodes never seen. A tracklet that starts (or ends) on a partial
        pose is not costed as if its other nodes were unknown.
    """
    out = np.full(points.shape[1:], np.nan)
    seen = visible(points)  # (T, N)
    for n in range(points.shape[1]):
        rows = np.flatnonzero(seen[:, n])
        if rows.size:
            out[n] = points[rows[0], n]
    return out


def link_tracklets(
    tracklets: list[Tracklet],
    fidx: NDArray[np.int64],
    weight: list[NDArray[np.float64]],
    k: int,
    scales: Scales,
    cfg: LinkConfig,
) -> list[list[int]]:
    """Up to ``k`` node-disjoint minimum-cost paths through the tracklet DAG.

    Args:
        tracklets: From :func:`~pose_domain.tracking.offline.tracklets.build_tracklets`.
        fidx: ``(n_frames,)`` frame index of each frame position.
        weight: Per frame position ``(t,)`` reward share of each trackable row.
        k: Number of identities.
        scales: The video's scales (``sigma``, ``body``).
        cfg: Link settings.

    Returns:
        Paths as lists of indices into ``tracklets``, each in frame order, in the solver's
        order of discovery.
    """
    order = sorted(range(len(tracklets)), key=lambda t: tracklets[t].members[0][0])
    tl = [tracklets[t] for t in order]
    n = len(tl)
    start = np.array([fidx[t.members[0][0]] for t in tl])
    end = np.array([fidx[t.members[-1][0]] for t in tl])
    first = np.stack([end_pose(t.points) for t in tl])
    last = np.stack([end_pose(t.points[::-1]) for t in tl])
    v_out = np.zeros_like(last)
    v_in = np.zeros_like(first)
    size = np.full(n, np.nan)
    for i, t in enumerate(tl):
        p = t.points
        w = min(len(p) - 1, VELOCITY_FRAMES)
        if w > 0:
            fm = [fidx[m[0]] for m in t.members]
            v_out[i] = (p[-1] - p[-1 - w]) / (fm[-1] - fm[-1 - w])
            v_in[i] = (p[w] - p[0]) / (fm[w] - fm[0])
        sz = pose_size(p)
        sz = sz[np.isfinite(sz)]
        if sz.size:
            size[i] = np.median(sz)
    v_out = np.nan_to_num(v_out)
    v_in = np.nan_to_num(v_in)
    sigma_size = SIZE_SPREAD * scales.body
    node_cost = [-sum(weight[f][r] for f, r in t.members) for t in tl]
    edges: list[tuple[int, int, float]] = []
    length = np.array([len(t.members) for t in tl])
    substantial = np.nonzero(length >= LONG_LENGTH)[0]
    for a in range(n):
        near = np.nonzero((start > end[a]) & (start - end[a] <= cfg.max_gap))[0]
        far = substantial[start[substantial] - end[a] > cfg.max_gap][:LONG_LINKS]
        later = np.concatenate([near, far])
        if later.size == 0:
            continue
        g = (start[later] - end[a]).astype(np.float64)
        fwd = last[a][None] + v_out[a][None] * g[:, None, None]
        bwd = first[later] - v_in[later] * g[:, None, None]
        d1 = mean_node_distance(fwd, first[later])
        d2 = mean_node_distance(bwd, last[a])
        d = np.where(np.isfinite(d1) & np.isfinite(d2), 0.5 * (d1 + d2), np.fmin(d1, d2))
        sg = scales.sigma * np.sqrt(g)
        motion = np.minimum(0.5 * (d / sg) ** 2, COST_CAP)
        motion[~np.isfinite(motion)] = COST_CAP
        ds = np.abs(size[later] - size[a]) / sigma_size
        cost = motion + 0.5 * np.minimum(np.nan_to_num(ds), 3.0) ** 2
        for b, c in zip(later.tolist(), cost.tolist()):
            edges.append((a, b, c))
    paths = disjoint_paths(node_cost, edges, k)
    return [[order[i] for i in p] for p in paths]


def path_identities(tracklets: list[Tracklet], paths: list[list[int]]) -> Assignment:
    """Identity of every row on a path; identities numbered by the path's first frame.

    Args:
        tracklets: The tracklets the paths index.
        paths: From :func:`link_tracklets`.

    Returns:
        ``slot -> identity`` for the members of every path's tracklets.
    """
    assign: Assignment = {}
    firsts = sorted(range(len(paths)), key=lambda p: tracklets[paths[p][0]].members[0][0])
    for ident, p in enumerate(firsts):
        for t in paths[p]:
            for m in tracklets[t].members:
                assign[m] = ident
    return assign
