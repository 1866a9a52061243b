"""Small decoding rules between peaks and instances, per model type (parity notes §3.5–3.11).

Coordinates are returned in the space they came in (model-input space in the pipeline).
"""

from __future__ import annotations

import numpy as np


def top_k_centroids(
    points: np.ndarray, values: np.ndarray, max_instances: int | None
) -> np.ndarray:
    """Which centroids of ONE frame to crop, in crop order (top-down Stage A).

    With more peaks than ``max_instances``: the ``max_instances`` highest values, ordered
    by descending value (``torch.topk``; NaN counts as largest, ties here go to the lower
    index — torch's own tie order is unspecified). Otherwise every peak in raster order.

    Args:
        points: ``(n, 2)`` centroid peaks (only the length is used).
        values: ``(n,)`` peak values.
        max_instances: Cap, or None for no cap.

    Returns:
        ``(k,)`` int64 indices into ``points``.
    """
    vals = np.asarray(values, dtype=np.float64).reshape(-1)
    n = len(vals)
    if len(points) != n:
        raise ValueError("points and values disagree in length")
    if max_instances is None or n <= max_instances:
        return np.arange(n, dtype=np.int64)
    key = np.where(np.isnan(vals), np.inf, vals)
    return np.argsort(-key, kind="stable")[: max(int(max_instances), 0)].astype(np.int64)


def keep_top_instances(scores: np.ndarray, max_instances: int | None) -> np.ndarray:
    """Bottom-up / multi-class cap on instances of ONE frame (``track`` semantics).

    With a cap, instances are sorted by descending score with Python's stable ``sorted``
    (ties keep assembly order) and truncated — so they are re-ordered even when there are
    fewer than ``max_instances``. Without a cap, assembly order is kept.

    Args:
        scores: ``(n,)`` instance scores.
        max_instances: Cap, or None.

    Returns:
        ``(k,)`` int64 indices into the instances, in output order.
    """
    s = [float(v) for v in np.asarray(scores, dtype=np.float64).reshape(-1)]
    if max_instances is None:
        return np.arange(len(s), dtype=np.int64)
    order = sorted(range(len(s)), key=lambda i: s[i], reverse=True)
    return np.asarray(order[: min(int(max_instances), len(s))], dtype=np.int64)


def gt_centroids(points: np.ndarray, anchor_ind: int | None) -> np.ndarray:
    """Centroids of ground-truth instances (centered-instance model run without centroids).

    Args:
        points: ``(n, N, 2)`` instance points (NaN = missing node).
        anchor_ind: Anchor node, or None.

    Returns:
        ``(n, 2)`` float64: the anchor node when given and visible, else the NaN-ignoring
        per-axis mean of visible nodes (NaN when the instance has none).
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 3 or pts.shape[-1] != 2:
        raise ValueError(f"points must have shape (n, n_nodes, 2), got {pts.shape}")
    n = len(pts)
    out = np.full((n, 2), np.nan)
    if n == 0:
        return out
    counts = (~np.isnan(pts)).sum(axis=1)
    sums = np.nansum(pts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    out[:] = means
    if anchor_ind is not None:
        anchor = pts[:, int(anchor_ind)]
        ok = ~np.isnan(anchor).any(axis=1)
        out[ok] = anchor[ok]
    return out


def single_instance_score(point_values: np.ndarray) -> float:
    """Single-instance score: the SUM of the node peak values (missing nodes count 0.0)."""
    return float(np.nansum(np.asarray(point_values, dtype=np.float64)))


def centroid_instance_arrays(
    centroids: np.ndarray, values: np.ndarray, n_nodes: int, anchor_ind: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Centroid-only packaging: each centroid becomes an instance with one visible node.

    Args:
        centroids: ``(n, 2)`` centroid points.
        values: ``(n,)`` centroid values (the instance score too).
        n_nodes: Nodes of the output skeleton (1 for sleap-io's ``centroid`` skeleton).
        anchor_ind: Node that receives the point (0 when ``n_nodes == 1``).

    Returns:
        ``points`` ``(n, n_nodes, 2)`` (NaN except at the anchor node) and ``point_scores``
        ``(n, n_nodes)`` (the centroid value at the anchor node, NaN elsewhere).
    """
    c = np.asarray(centroids, dtype=np.float64).reshape(-1, 2)
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    node = 0 if n_nodes == 1 else int(anchor_ind)
    points = np.full((len(c), int(n_nodes), 2), np.nan)
    scores = np.full((len(c), int(n_nodes)), np.nan)
    points[:, node] = c
    scores[:, node] = v
    return points, scores


def nearest_gt_instances(centroids: np.ndarray, gt_points: np.ndarray) -> np.ndarray:
    """For each centroid, the ground-truth instance with a visible node nearest to it (SLEAP's
    ground-truth instance peaks: a centroid model scored without a centered-instance model).

    Args:
        centroids: ``(n, 2)`` detected centroids.
        gt_points: ``(m, N, 2)`` ground-truth instances (NaN = missing node).

    Returns:
        ``(n,)`` int64 index into ``gt_points`` per centroid; -1 when there is no instance
        with a visible node. Each centroid picks independently (two may pick one instance).
    """
    c = np.asarray(centroids, dtype=np.float64).reshape(-1, 2)
    g = np.asarray(gt_points, dtype=np.float64)
    out = np.full(len(c), -1, dtype=np.int64)
    if len(c) == 0 or g.size == 0:
        return out
    d = np.linalg.norm(g[None, :, :, :] - c[:, None, None, :], axis=-1)  # (n, m, N)
    d = np.where(np.isnan(d), np.inf, d).min(axis=-1)  # nearest node of each instance
    best = d.argmin(axis=1)
    found = np.isfinite(d[np.arange(len(c)), best])
    out[found] = best[found]
    return out
