"""Pose geometry the identity QC needs: extents, body length, each track's next pose."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_F = NDArray[np.float64]


def next_observations(
    obs: list[tuple[int, list[int], _F, list[float]]],
) -> dict[tuple[int, int], tuple[int, _F]]:
    """``(frame, track) -> (next frame, pose)`` of each track's next observation."""
    out: dict[tuple[int, int], tuple[int, _F]] = {}
    later: dict[int, tuple[int, _F]] = {}
    for t, tids, pts, _ in reversed(obs):
        for j, k in enumerate(tids):
            if k in later:
                out[(t, k)] = later[k]
            later[k] = (t, pts[j])
    return out


def extent(p: _F) -> float:
    """Largest node-to-node distance of one pose (NaN with fewer than two nodes)."""
    v = p[~np.isnan(p).any(axis=1)]
    if len(v) < 2:
        return float("nan")
    return float(np.linalg.norm(v[:, None] - v[None], axis=-1).max())


def shape_error(p: _F, body: float) -> float:
    """How far a pose's extent is from the usual body length: ``|log(extent / body)|``
    (a pose joined from two animals is too long, a partial one too short)."""
    e = extent(p)
    return abs(float(np.log(e / body))) if np.isfinite(e) and e > 0 else 3.0


def body_length(obs: list[tuple[int, list[int], _F, list[float]]]) -> float:
    """Median extent (largest node-to-node distance) of the observed poses, px."""
    ext: list[float] = []
    for _, _, pts, _ in obs:
        for p in pts:
            v = p[~np.isnan(p).any(axis=1)]
            if len(v) >= 2:
                ext.append(float(np.linalg.norm(v[:, None] - v[None], axis=-1).max()))
    return float(np.median(ext)) if ext else float("nan")
