"""Stage ``nodes``: per frame and node type, detected nodes go to the identities' references.

The reference of an identity's node is the running median of its rows' node (``window``),
optionally bridged across the frames between two sightings. An identity's row keeps the nodes
within the gate of their reference; farther ones are freed. Per node type, free nodes (freed
ones, and every node of rows no identity took, oversized rows included) go by a Hungarian
assignment to the identities lacking that node, within the same gate. Node types are never
exchanged. An identity without a row gets a pose when enough of its skeleton was found.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pose_domain.matching import hungarian
from pose_domain.tracking.offline.config import NodeConfig
from pose_domain.tracking.offline.values import Assignment, IdentityFrame, Pose, visible


def bridged(ref: NDArray[np.float64], fidx: NDArray[np.int64]) -> NDArray[np.float64]:
    """Identity reference nodes linearly interpolated between two sightings.

    Never extrapolated past the first or last sighting. An animal the detector lost as a whole
    keeps a reference, so its nodes found inside other detections can be given back to it.

    Args:
        ref: ``(n_frames, K, N, 2)`` px, NaN = unknown.
        fidx: ``(n_frames,)`` frame indices, increasing.

    Returns:
        ``(n_frames, K, N, 2)`` px, NaN only before the first and after the last sighting.
    """
    out = ref.copy()
    _, k, n_nodes, _ = ref.shape
    for i in range(k):
        for n in range(n_nodes):
            known = np.flatnonzero(~np.isnan(ref[:, i, n]).any(axis=-1))
            for a, b in zip(known[:-1].tolist(), known[1:].tolist()):
                if b - a < 2:
                    continue
                w = ((fidx[a + 1:b] - fidx[a]) / (fidx[b] - fidx[a]))[:, None]
                out[a + 1:b, i, n] = (1 - w) * ref[a, i, n] + w * ref[b, i, n]
    return out


def reassign_nodes(
    rows: list[NDArray[np.float64]],
    assign: Assignment,
    ref: NDArray[np.float64],
    body: float,
    cfg: NodeConfig,
) -> dict[IdentityFrame, Pose]:
    """Give each frame's detected nodes to the identities' reference nodes.

    Args:
        rows: Per frame position ``(m, N, 2)`` all working rows, px, NaN = missing.
        assign: ``slot -> identity`` after the refine passes.
        ref: ``(n_frames, K, N, 2)`` reference nodes, px, NaN = unknown.
        body: Body size, px.
        cfg: Node settings (``gate``, ``min_new_nodes``).

    Returns:
        A :class:`Pose` (owners = working rows) for every identity frame whose pose differs
        from its assigned row: new, pruned (possibly to nothing) or completed. Identities whose
        row is unchanged are absent.
    """
    gate = cfg.gate * body
    k = ref.shape[1]
    by_frame: dict[int, dict[int, int]] = {}
    for (f, r), ident in assign.items():
        by_frame.setdefault(f, {})[ident] = r
    out: dict[IdentityFrame, Pose] = {}
    for f, p in enumerate(rows):
        if not len(p):
            continue
        n_nodes = p.shape[1]
        held = by_frame.get(f, {})
        vis = visible(p)  # (n, N)
        owner = np.full((k, n_nodes), -1)  # identity -> row of each of its nodes
        taken = np.zeros_like(vis)
        for ident, r in held.items():
            with np.errstate(invalid="ignore"):
                d = np.linalg.norm(p[r] - ref[f, ident], axis=-1)
            ok = vis[r] & ~(d > gate)
            owner[ident, ok] = r
            taken[r, ok] = True
        for n in range(n_nodes):
            free = np.flatnonzero(vis[:, n] & ~taken[:, n])
            need = np.flatnonzero((owner[:, n] < 0) & ~np.isnan(ref[f, :, n]).any(axis=-1))
            if not free.size or not need.size:
                continue
            d = np.linalg.norm(p[free, n][:, None] - ref[f, need, n][None], axis=-1)
            rr, cc = hungarian(d)
            for a, b in zip(rr.tolist(), cc.tolist()):
                if d[a, b] <= gate:
                    owner[need[b], n] = free[a]
                    taken[free[a], n] = True
        min_new = max(1, int(np.ceil(cfg.min_new_nodes * n_nodes)))
        for ident in range(k):
            o = owner[ident]
            count = int((o >= 0).sum())
            r0 = held.get(ident)
            if r0 is not None and count == int(vis[r0].sum()) and (o[vis[r0]] == r0).all():
                continue  # unchanged row
            if count == 0 or (r0 is None and count < min_new):
                if r0 is not None:
                    out[(f, ident)] = Pose(np.full((n_nodes, 2), np.nan), o, np.arange(n_nodes))
                continue
            points = np.full((n_nodes, 2), np.nan)
            has = o >= 0
            points[has] = p[o[has], np.flatnonzero(has)]
            out[(f, ident)] = Pose(points, o, np.arange(n_nodes))
    return out
