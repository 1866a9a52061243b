"""Stage ``refine``: every row goes to the nearest identity's smoothed pose, within a gate.

An identity's reference at frame ``f`` is the per-node running median of its rows within
``window`` frames. Per frame, a Hungarian assignment on mean node distance gives rows to
identities; rows farther than the gate from every reference are outliers. Parts of split
instances only go to identities no whole instance took, so a complete pose beats a fragment.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from pose_domain.distance import mean_node_distance
from pose_domain.matching import hungarian
from pose_domain.tracking.offline.config import RefineConfig
from pose_domain.tracking.offline.values import Assignment, n_nodes_of


def smoothed(
    rows: list[NDArray[np.float64]], assign: Assignment, k: int, window: int
) -> NDArray[np.float64]:
    """Per-identity pose smoothed by a per-node running median over ``±window`` positions.

    Args:
        rows: Per frame position ``(n, N, 2)`` px, NaN = missing.
        assign: ``slot -> identity`` into ``rows``.
        k: Number of identities.
        window: Half-width, frame positions.

    Returns:
        ``(n_frames, k, N, 2)`` float64 px; NaN where the identity has no row nearby.
    """
    n_f = len(rows)
    n_nodes = n_nodes_of(rows)
    traj = np.full((n_f, k, n_nodes, 2), np.nan)
    for (f, r), ident in assign.items():
        traj[f, ident] = rows[f][r]
    w = window
    pad = np.full((w, k, n_nodes, 2), np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([pad, traj, pad]), 2 * w + 1, axis=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(windows, axis=-1))


def refine(
    rows: list[NDArray[np.float64]],
    part: list[NDArray[np.bool_]],
    assign: Assignment,
    k: int,
    body: float,
    cfg: RefineConfig,
) -> Assignment:
    """One pass of re-assignment to the smoothed poses of ``assign``.

    Args:
        rows: Per frame position ``(t, N, 2)`` trackable rows, px, NaN = missing.
        part: Per frame position ``(t,)`` bool, the row is a part of a split instance.
        assign: ``slot -> identity`` from the global solve (or the previous pass).
        k: Number of identities.
        body: Body size, px.
        cfg: Refine settings (``window``, ``gate``).

    Returns:
        The new ``slot -> identity``; ``assign`` itself when there is nothing to assign to.
    """
    if k == 0 or n_nodes_of(rows) == 0:
        return assign
    ref = smoothed(rows, assign, k, cfg.window)
    gate = cfg.gate * body
    out: Assignment = {}
    for f, pts in enumerate(rows):
        if not len(pts):
            continue
        d = mean_node_distance(pts[:, None], ref[f][None])  # (n, k)
        free = np.ones(k, dtype=bool)
        groups = (
            (np.flatnonzero(~part[f]), np.flatnonzero(part[f])) if part[f].any()
            else (np.arange(len(pts)),)
        )
        for group in groups:
            idents = np.flatnonzero(free)
            if not group.size or not idents.size:
                continue
            sub = d[np.ix_(group, idents)]
            rr, cc = hungarian(np.where(np.isfinite(sub), sub, 1e12))
            for r, c in zip(group[rr].tolist(), idents[cc].tolist()):
                if d[r, c] <= gate:
                    out[(f, r)] = c
                    free[c] = False
    return out
