"""Tracking features: what an instance is compared by (``--features``).

Every function takes a stack of poses ``(n, n_nodes, 2)`` float64 (NaN = missing node) and
returns one feature per pose, so that scores can be computed for all pairs at once.
"""

from __future__ import annotations

import numpy as np

from pose_domain.errors import InvalidOptionError

#: Feature kinds that are implemented (``image`` is advertised by the reference but not).
FEATURE_KINDS = ("keypoints", "centroids", "bboxes")


def visible_counts(points: np.ndarray) -> np.ndarray:
    """``(n,)`` int: nodes with both coordinates present, per pose of ``(n, n_nodes, 2)``."""
    return (~np.isnan(points).any(axis=-1)).sum(axis=-1)


def centroids(points: np.ndarray) -> np.ndarray:
    """``(n, 2)`` float64 per-axis median over visible nodes (NaN when none is visible)."""
    n = points.shape[0]
    if n == 0:
        return np.zeros((0, 2))
    ok = ~np.isnan(points)
    if ok.all():
        return np.median(points, axis=1)
    out = np.full((n, 2), np.nan)
    for i in range(n):
        for ax in range(2):
            col = points[i, :, ax]
            col = col[~np.isnan(col)]
            if col.size:
                out[i, ax] = np.median(col)
    return out


def bboxes(points: np.ndarray) -> np.ndarray:
    """``(n, 4)`` float64 ``[xmin, ymin, xmax, ymax]`` over visible nodes (NaN if none)."""
    n = points.shape[0]
    if n == 0:
        return np.zeros((0, 4))
    nan = np.isnan(points)
    lo = np.where(nan, np.inf, points).min(axis=1)
    hi = np.where(nan, -np.inf, points).max(axis=1)
    out = np.concatenate([lo, hi], axis=1)
    out[~np.isfinite(out)] = np.nan
    return out


def compute_features(points: np.ndarray, kind: str) -> np.ndarray:
    """Features of a stack of poses.

    Args:
        points: ``(n, n_nodes, 2)`` float64, NaN = missing.
        kind: ``keypoints`` (the points themselves), ``centroids`` or ``bboxes``.

    Returns:
        ``(n, n_nodes, 2)``, ``(n, 2)`` or ``(n, 4)`` float64.

    Raises:
        InvalidOptionError: for ``image`` (not implemented by the reference either) or unknown.
    """
    if kind == "keypoints":
        return points
    if kind == "centroids":
        return centroids(points)
    if kind == "bboxes":
        return bboxes(points)
    raise InvalidOptionError(
        f"--features {kind} is not implemented",
        hint="use keypoints, centroids or bboxes",
    )
