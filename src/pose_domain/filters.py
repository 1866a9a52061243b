"""Post-inference instance filters: node count → confidence → overlap NMS (parity notes §3.12).

Semantics follow sleap-nn 0.3.5's ``track`` path (``inference/ops/filters.py``): a filter
whose threshold is 0 is off; the overlap NMS returns survivors in descending-score order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np

from pose_domain.instance import PredictedInstance

NmsMethod = Literal["iou", "oks"]


@attrs.frozen
class FilterParams:
    """Filter settings (all off by default).

    Attributes:
        overlapping: Run greedy overlap NMS.
        overlapping_method: ``"iou"`` (bbox of visible nodes) or ``"oks"``.
        overlapping_threshold: Drop an instance whose similarity with a kept one is ``>`` this.
        min_visible_nodes: Drop instances with fewer visible (non-NaN) nodes.
        min_visible_node_fraction: Drop instances with ``visible / n_nodes`` below this.
        min_mean_node_score: Drop instances whose mean point score is below this.
        min_instance_score: Drop instances whose ``score`` is below this.
        mean_over_visible: Mean point score over visible nodes with a score (``track``,
            the default) — False gives the ``predict`` stack's nanmean over all nodes, which
            counts the 0.0 scores of missing nodes of global-peak models.
        min_centroid_distance: Greedy distance NMS on centroids (px, ``<``; 0 = off), last.
    """

    overlapping: bool = False
    overlapping_method: str = "iou"
    overlapping_threshold: float = 0.8
    min_visible_nodes: int = 0
    min_visible_node_fraction: float = 0.0
    min_mean_node_score: float = 0.0
    min_instance_score: float = 0.0
    mean_over_visible: bool = True
    min_centroid_distance: float = 0.0


def _bbox(points: np.ndarray) -> np.ndarray:
    """``[xmin, ymin, xmax, ymax]`` of visible nodes; zeros when none is visible."""
    vis = ~np.isnan(points).any(axis=1)
    if not vis.any():
        return np.zeros(4)
    p = points[vis]
    return np.array([p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()])


def iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of ``box`` ``(4,)`` with ``boxes`` ``(m, 4)`` (no +1 on sides; 0 if union <= 0)."""
    iw = np.maximum(0.0, np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]))
    ih = np.maximum(0.0, np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]))
    inter = iw * ih
    area_a = (box[2] - box[0]) * (box[3] - box[1])
    area_b = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area_a + area_b - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def nms_oks(points_a: np.ndarray, points_b: np.ndarray, kappa: float = 0.1) -> float:
    """The NMS similarity ``mean exp(-d² / (2 · area_A · κ²))`` over nodes visible in both.

    Args:
        points_a: ``(N, 2)`` the kept (higher-scoring) instance; its bbox area is the scale.
        points_b: ``(N, 2)`` the other instance.
        kappa: Per-node constant.

    Returns:
        Similarity in ``[0, 1]``; 0 when no node is shared, A has < 2 visible nodes, or A's
        bbox has no area. (Not the evaluation OKS.)
    """
    va = ~np.isnan(points_a).any(axis=1)
    both = va & ~np.isnan(points_b).any(axis=1)
    if not both.any():
        return 0.0
    pa = points_a[va]
    if len(pa) < 2:
        return 0.0
    scale = (pa[:, 0].max() - pa[:, 0].min()) * (pa[:, 1].max() - pa[:, 1].min())
    if scale <= 0:
        return 0.0
    d2 = np.sum((points_a[both] - points_b[both]) ** 2, axis=1)
    return float(np.mean(np.exp(-d2 / (2 * scale * kappa**2))))


def nms_indices(
    points: np.ndarray, scores: np.ndarray, method: str, threshold: float
) -> np.ndarray:
    """Greedy NMS: keep the best-scoring instance, drop those too similar to a kept one.

    Args:
        points: ``(n, N, 2)`` instance points (NaN = missing).
        scores: ``(n,)`` instance scores; order = ``argsort(scores)[::-1]`` (ties: later
            index first, as the reference).
        method: ``"iou"`` or ``"oks"``.
        threshold: Similarity above which an instance is dropped (``>``, exclusive).

    Returns:
        ``(k,)`` int64 kept indices in the order they were kept (descending score).

    Raises:
        ValueError: for an unknown method.
    """
    if method not in ("iou", "oks"):
        raise ValueError(f"unknown overlap method {method!r}; use 'iou' or 'oks'")
    pts = np.asarray(points, dtype=np.float64)
    n = len(pts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(np.asarray(scores, dtype=np.float64))[::-1].tolist()
    boxes = np.stack([_bbox(p) for p in pts]) if method == "iou" else np.zeros((n, 4))
    keep: list[int] = []
    while order:
        i = order.pop(0)
        keep.append(i)
        if not order:
            break
        if method == "iou":
            sim = iou_one_to_many(boxes[i], boxes[np.array(order)])
        else:
            sim = np.array([nms_oks(pts[i], pts[j]) for j in order])
        order = [j for j, s in zip(order, sim) if s <= threshold]
    return np.asarray(keep, dtype=np.int64)


def centroid_distance_keep(
    centroids: np.ndarray, scores: np.ndarray, min_distance: float
) -> np.ndarray:
    """Greedy distance NMS (``--filter_min_centroid_distance``, the ``predict`` stack).

    Best score first (NaN scores last); a centroid closer than ``min_distance`` (strictly) to
    a kept one is dropped. Centroids with NaN are neither kept nor used.

    Args:
        centroids: ``(n, 2)``. scores: ``(n,)``. min_distance: Radius in px.

    Returns:
        ``(n,)`` bool mask of the kept centroids.
    """
    c = np.asarray(centroids, dtype=np.float64).reshape(-1, 2)
    valid: np.ndarray = np.asarray(~np.isnan(c).any(axis=1))
    keep: np.ndarray = valid.copy()
    if valid.sum() <= 1:
        return keep
    s = np.asarray(scores, dtype=np.float64)
    s = np.where(np.isnan(s), -np.inf, s)
    kept: list[int] = []
    limit = float(min_distance) ** 2
    for i in np.argsort(-s, kind="stable").tolist():
        if not valid[i]:
            continue
        if any(float(((c[i] - c[k]) ** 2).sum()) < limit for k in kept):
            keep[i] = False
        else:
            kept.append(i)
    return keep


def instance_centroid(inst: PredictedInstance) -> np.ndarray:
    """``(2,)`` mean of the visible points (the point itself for centroid-only instances)."""
    vis = inst.visible
    if not vis.any():
        return np.array([np.nan, np.nan])
    return np.asarray(inst.points[vis].mean(axis=0))


def _mean_node_score(inst: PredictedInstance, over_visible: bool) -> float:
    scores = np.asarray(inst.point_scores, dtype=np.float64)
    if not over_visible:
        valid = scores[~np.isnan(scores)]
        return float(valid.mean()) if len(valid) else float("nan")
    vis = inst.visible
    if not vis.any():
        return 0.0
    valid = scores[vis]
    valid = valid[~np.isnan(valid)]
    return float(valid.mean()) if len(valid) else 0.0


def filter_instances(
    instances: list[PredictedInstance], params: FilterParams,
    centroids: Sequence[np.ndarray] | None = None,
) -> list[PredictedInstance]:
    """Apply the filters to ONE frame's predicted instances.

    Order: node count (absolute, then fraction) → confidence (instance score, then mean node
    score) → overlap NMS → centroid distance NMS. Each filter with a threshold <= 0 is off.

    Args:
        instances: The frame's predicted instances.
        params: Filter settings.
        centroids: Optional ``(2,)`` detected centroid per instance (top-down: the crop's
            centroid), compared by the centroid distance NMS instead of the mean of the
            visible points.

    Returns:
        Survivors: input order, or descending-score order when NMS ran on > 1 instance.
    """
    out = list(instances)
    detected = ({id(inst): np.asarray(c, dtype=np.float64) for inst, c in zip(out, centroids)}
                if centroids is not None else {})
    if params.min_visible_nodes > 0 or params.min_visible_node_fraction > 0:
        kept = []
        for inst in out:
            n_vis = inst.n_visible
            if params.min_visible_nodes > 0 and n_vis < params.min_visible_nodes:
                continue
            if params.min_visible_node_fraction > 0:
                frac = n_vis / inst.n_nodes if inst.n_nodes > 0 else 0.0
                if frac < params.min_visible_node_fraction:
                    continue
            kept.append(inst)
        out = kept
    if params.min_instance_score > 0 or params.min_mean_node_score > 0:
        kept = []
        for inst in out:
            if params.min_instance_score > 0 and inst.score < params.min_instance_score:
                continue
            if params.min_mean_node_score > 0:
                mean = _mean_node_score(inst, params.mean_over_visible)
                if mean < params.min_mean_node_score:
                    continue
            kept.append(inst)
        out = kept
    if params.overlapping and len(out) > 1:
        points = np.stack([inst.points for inst in out])
        scores = np.array([inst.score for inst in out])
        keep = nms_indices(points, scores, params.overlapping_method, params.overlapping_threshold)
        out = [out[i] for i in keep.tolist()]
    if params.min_centroid_distance > 0 and len(out) > 1:
        cents = np.stack([detected[id(inst)] if id(inst) in detected
                          else instance_centroid(inst) for inst in out])
        mask = centroid_distance_keep(
            cents, np.array([inst.score for inst in out]), params.min_centroid_distance
        )
        out = [inst for inst, k in zip(out, mask.tolist()) if k]
    return out
