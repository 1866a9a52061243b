"""Pairwise similarity between current instances and candidates (``--scoring_method``),
and its reduction per track (``--scoring_reduction``). Score = similarity; cost = -score.

All functions are vectorised over every (current, candidate) pair.
"""

from __future__ import annotations

import numpy as np

from pose_domain.defaults import DEFAULT_OKS_STDDEV
from pose_domain.errors import InvalidOptionError
from pose_domain.tracking.features import bboxes

_EPS = np.spacing(1)  # 2.22e-16, as in the cocoeval OKS


def oks_matrix(current: np.ndarray, candidates: np.ndarray,
               stddev: float = DEFAULT_OKS_STDDEV) -> np.ndarray:
    """Object keypoint similarity of every pair, the current instance acting as ground truth.

    ``area`` is the bbox area of the current instance's visible nodes;
    ``oks = sum_{i visible in current} exp(-d_i^2 / ((2 stddev)^2 * 2 (area + eps))) / n_vis``,
    where nodes missing in the candidate contribute 0.

    Args:
        current: ``(n, n_nodes, 2)`` float64, NaN = missing.
        candidates: ``(m, n_nodes, 2)`` float64, NaN = missing.
        stddev: Keypoint spread (reference default 0.025).

    Returns:
        ``(n, m)`` float64 in [0, 1]; NaN for a current instance without visible nodes.
    """
    n, m = current.shape[0], candidates.shape[0]
    if n == 0 or m == 0:
        return np.zeros((n, m))
    vis = ~np.isnan(current).any(axis=-1)  # (n, N)
    n_vis = vis.sum(axis=-1)
    box = bboxes(current)
    area = (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
    spread = (2 * stddev) ** 2
    scale = 2 * (area + _EPS)
    diff = current[:, None, :, :] - candidates[None, :, :, :]
    d2 = np.sum(diff**2, axis=-1)  # (n, m, N)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ks = np.exp(-d2 / (spread * scale)[:, None, None])
        ks[np.isnan(ks)] = 0.0
        return ks.sum(axis=-1) / n_vis[:, None]


def iou_matrix(current: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """IoU of bboxes with the +1 pixel convention (the reference's tracker IoU).

    Args:
        current: ``(n, 4)`` bboxes, or ``(n, n_nodes, 2)`` points (their bbox is used).
        candidates: ``(m, 4)`` or ``(m, n_nodes, 2)``.

    Returns:
        ``(n, m)`` float64; NaN where a box is missing.
    """
    a = bboxes(current) if current.ndim == 3 else current
    b = bboxes(candidates) if candidates.ndim == 3 else candidates
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.maximum(0.0, x2 - x1 + 1) * np.maximum(0.0, y2 - y1 + 1)
    area_a = (a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
    area_b = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (area_a[:, None] + area_b[None, :] - inter)


def euclidean_matrix(current: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """``-||f - g||`` over flattened features; NaN if any coordinate is missing.

    Args:
        current: ``(n, ...)`` features. candidates: ``(m, ...)`` features of the same shape.

    Returns:
        ``(n, m)`` float64 (<= 0).
    """
    f = current.reshape(current.shape[0], -1)
    g = candidates.reshape(candidates.shape[0], -1)
    return -np.sqrt(np.sum((f[:, None, :] - g[None, :, :]) ** 2, axis=-1))


def cosine_matrix(current: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Cosine similarity of flattened features (``f.g / (|f||g|)``); NaN if any is missing.

    Returns:
        ``(n, m)`` float64 in [-1, 1].
    """
    f = current.reshape(current.shape[0], -1)
    g = candidates.reshape(candidates.shape[0], -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = f @ g.T
        return num / (np.linalg.norm(f, axis=1)[:, None] * np.linalg.norm(g, axis=1)[None, :])


SCORING_METHODS = ("oks", "iou", "euclidean_dist", "cosine_sim")


def score_matrix(
    method: str, current: np.ndarray, candidates: np.ndarray, *,
    oks_stddev: float = DEFAULT_OKS_STDDEV,
) -> np.ndarray:
    """``(n, m)`` similarity of every current feature with every candidate feature.

    Raises:
        InvalidOptionError: unknown method.
    """
    if method == "oks":
        if current.ndim != 3:
            raise InvalidOptionError(
                "--scoring_method oks needs --features keypoints",
                hint="use euclidean_dist with centroids, or iou with bboxes",
            )
        return oks_matrix(current, candidates, oks_stddev)
    if method == "iou":
        return iou_matrix(current, candidates)
    if method == "euclidean_dist":
        return euclidean_matrix(current, candidates)
    if method == "cosine_sim":
        return cosine_matrix(current, candidates)
    raise InvalidOptionError(
        f"--scoring_method {method} is unknown", hint=f"use one of {', '.join(SCORING_METHODS)}"
    )


def reduce_by_track(
    scores: np.ndarray,
    columns: np.ndarray,
    n_columns: int,
    reduction: str = "mean",
    quantile: float = 1.0,
) -> np.ndarray:
    """Reduce candidate scores to one score per (instance, track) column.

    Args:
        scores: ``(n, m)`` similarity of each current instance with each candidate.
        columns: ``(m,)`` int column (track slot) of each candidate.
        n_columns: Number of track columns.
        reduction: ``mean`` (nanmean), ``max`` (nanmax) or ``robust_quantile``
            (nanquantile at ``quantile``).
        quantile: The quantile for ``robust_quantile`` (``--robust_best_instance``).

    Returns:
        ``(n, n_columns)`` float64; NaN for a column without usable candidate.
    """
    n = scores.shape[0]
    out = np.full((n, n_columns), np.nan)
    if n == 0 or scores.shape[1] == 0:
        return out
    valid = ~np.isnan(scores)
    if reduction == "mean":
        sums = np.zeros((n, n_columns))
        counts = np.zeros((n, n_columns))
        np.add.at(sums.T, columns, np.where(valid, scores, 0.0).T)
        np.add.at(counts.T, columns, valid.T.astype(np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            res = sums / counts
        res[counts == 0] = np.nan
        return res
    if reduction == "max":
        filled = np.where(valid, scores, -np.inf)
        best = np.full((n, n_columns), -np.inf)
        np.maximum.at(best.T, columns, filled.T)
        anyv = np.zeros((n, n_columns), dtype=bool)
        np.logical_or.at(anyv.T, columns, valid.T)
        best[~anyv] = np.nan
        return best
    if reduction == "robust_quantile":
        for c in np.unique(columns):
            sel = scores[:, columns == c]
            for i in range(n):
                row = sel[i][~np.isnan(sel[i])]
                if row.size:
                    out[i, c] = np.quantile(row, quantile)
        return out
    raise InvalidOptionError(
        f"--scoring_reduction {reduction} is unknown", hint="use mean, max or robust_quantile"
    )
