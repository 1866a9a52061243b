"""Centroid-mode evaluation (``sleap-nn eval --match_method centroid``, parity notes §6.5).

Each predicted instance collapses to one point (its first visible node, else node 0); each GT
instance to its centroid (the ``anchor`` node when given and visible, else the mean of its
visible nodes). Per frame, points with NaN are set aside (a NaN GT is a false negative, a NaN
prediction is ignored), the rest are paired by Hungarian assignment on Euclidean distance and a
pair counts when its distance is ``<= max_distance``. Reported: ``detection_metrics``
(precision, recall, F1, counts, distance avg/percentiles) and ``distance_metrics``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pose_domain.matching import hungarian

#: ``--match_threshold`` 0 means this many px in centroid mode.
DEFAULT_CENTROID_DISTANCE = 50.0
_PERCENTILES = (50, 75, 90, 95, 99)


def predicted_point(points: np.ndarray) -> np.ndarray:
    """``(N, 2)`` -> ``(2,)``: the first visible node, else node 0."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    visible = ~np.isnan(pts).any(axis=-1)
    return pts[int(np.argmax(visible))] if visible.any() else pts[0]


def gt_centroid(points: np.ndarray, anchor: int | None = None) -> np.ndarray:
    """``(N, 2)`` -> ``(2,)``: the anchor node if visible, else the mean of visible nodes."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if anchor is not None and 0 <= anchor < len(pts) and not np.isnan(pts[anchor]).any():
        return pts[anchor].copy()
    visible = ~np.isnan(pts).any(axis=-1)
    if not visible.any():
        return np.array([np.nan, np.nan])
    return np.asarray(pts[visible].mean(axis=0))


def match_points(
    pred: np.ndarray, gt: np.ndarray, max_distance: float
) -> tuple[list[tuple[int, int, float]], list[int], list[int]]:
    """Hungarian pairing of ``pred (P, 2)`` and ``gt (G, 2)`` (both NaN-free).

    Returns:
        ``(pairs [(pred_i, gt_j, distance)], unmatched_pred, unmatched_gt)``; unmatched lists
        in ascending order.
    """
    if len(pred) == 0 or len(gt) == 0:
        return [], list(range(len(pred))), list(range(len(gt)))
    cost = np.sqrt(((pred[:, None, :] - gt[None, :, :]) ** 2).sum(-1))
    rows, cols = hungarian(cost)
    pairs = [(int(r), int(c), float(cost[r, c])) for r, c in zip(rows, cols)
             if cost[r, c] <= max_distance]
    used_p = {p for p, _, _ in pairs}
    used_g = {g for _, g, _ in pairs}
    return (pairs, [i for i in range(len(pred)) if i not in used_p],
            [j for j in range(len(gt)) if j not in used_g])


def _percentiles(dists: np.ndarray, numpy_scalars: bool = False) -> dict[str, Any]:
    """p50..p99 of the finite distances (NaN when none); the reference's distance_metrics keep
    numpy scalars, its detection_metrics Python floats."""
    out: dict[str, Any] = {f"p{q}": float("nan") for q in _PERCENTILES}
    finite = dists[~np.isnan(dists)] if dists.size else dists
    if finite.size:
        for q in _PERCENTILES:
            v = np.percentile(finite, q)
            out[f"p{q}"] = v if numpy_scalars else float(v)
    return out


def centroid_metrics(
    frames: Sequence[tuple[Sequence[np.ndarray], Sequence[np.ndarray], int, str]],
    *,
    anchor: int | None = None,
    max_distance: float = 0.0,
) -> dict[str, Any]:
    """The reference's centroid-mode metrics dict.

    Args:
        frames: Per frame pair ``(gt points [(N, 2)], pred points [(M, 2)], frame_idx,
            video_path)``.
        anchor: GT node index used as the centroid (None: mean of visible nodes).
        max_distance: Pair distance limit in px; 0 means 50.

    Returns:
        ``{"detection_metrics": {...}, "distance_metrics": {...}}``.
    """
    limit = max_distance if max_distance > 0 else DEFAULT_CENTROID_DISTANCE
    dists: list[float] = []
    frame_idxs: list[int] = []
    paths: list[str] = []
    n_fp = n_fn = 0
    for gt_pts, pred_pts, frame_idx, path in frames:
        g = np.array([gt_centroid(p, anchor) for p in gt_pts]).reshape(-1, 2)
        q = np.array([predicted_point(p) for p in pred_pts]).reshape(-1, 2)
        g_ok = ~np.isnan(g).any(axis=1)
        q_ok = ~np.isnan(q).any(axis=1)
        pairs, un_p, un_g = match_points(q[q_ok], g[g_ok], limit)
        for _, _, dist in pairs:
            dists.append(dist)
            frame_idxs.append(frame_idx)
            paths.append(path)
        n_fn += len(un_g) + int((~g_ok).sum())
        n_fp += len(un_p)
    n_tp = len(dists)
    d = np.asarray(dists, dtype=np.float64)
    precision = n_tp / (n_tp + n_fp) if n_tp + n_fp > 0 else 0.0
    recall = n_tp / (n_tp + n_fn) if n_tp + n_fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    avg = float(np.mean(d[~np.isnan(d)])) if d.size and not np.isnan(d).all() else float("nan")
    detection: dict[str, Any] = {
        "precision": precision, "recall": recall, "f1": f1,
        "n_tp": n_tp, "n_fp": n_fp, "n_fn": n_fn, "avg": avg, **_percentiles(d),
    }
    distance: dict[str, Any] = {
        "frame_idxs": frame_idxs, "video_paths": paths, "dists": d, "avg": avg,
        **_percentiles(d, numpy_scalars=True),
    }
    return {"detection_metrics": detection, "distance_metrics": distance}
