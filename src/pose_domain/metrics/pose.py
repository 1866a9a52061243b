"""Per-node pose metrics over matched pairs: distances, PCK and visibility (reference layout)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: PCK pixel thresholds of the reference: 1, 2, …, 10 px.
PCK_THRESHOLDS = np.linspace(1, 10, 10)


def pair_distances(gt: NDArray[np.float64], pred: NDArray[np.float64]) -> NDArray[np.float64]:
    """Euclidean node distances.

    Args:
        gt: ``(n_pairs, n_nodes, 2)`` float px, NaN = missing.
        pred: ``(n_pairs, n_nodes, 2)`` float px, NaN = missing.

    Returns:
        ``(n_pairs, n_nodes)`` float64 px; NaN where either node is missing.
    """
    return np.asarray(np.linalg.norm(pred - gt, axis=-1), dtype=np.float64)


def pck_scores(dists: NDArray[np.float64]) -> NDArray[np.float64]:
    """PCK match score per pair: mean over nodes and the 1..10 px thresholds of ``d < thr``.

    Args:
        dists: ``(n_pairs, n_nodes)`` float px, NaN = missing (never within a threshold).

    Returns:
        ``(n_pairs,)`` float64 in ``[0, 1]``.
    """
    d = np.where(np.isnan(dists), np.inf, dists)
    hits = d[:, :, None] < PCK_THRESHOLDS[None, None, :]
    # Mean over thresholds, then over nodes: this order reproduces the reference's rounding
    # (e.g. (0.7 + 0.6) / 2 = 0.6499…, which falls below the 0.65 VOC threshold).
    return np.asarray(hits.mean(axis=2).mean(axis=1), dtype=np.float64).reshape(len(dists))


def distance_metrics(
    dists: NDArray[np.float64], frame_idxs: list[int], video_paths: list[str]
) -> dict[str, Any]:
    """Distance summary: ``dists``, ``frame_idxs``, ``video_paths``, ``avg`` (nanmean, float),
    ``p50``…``p99`` (linear percentiles of the non-NaN distances, numpy float64; NaN if none).
    """
    flat = dists[~np.isnan(dists)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        avg = float(np.nanmean(dists)) if dists.size else float("nan")
    out: dict[str, Any] = {
        "frame_idxs": list(frame_idxs),
        "video_paths": list(video_paths),
        "dists": dists,
        "avg": avg,
    }
    for q in (50, 75, 90, 95, 99):
        out[f"p{q}"] = np.percentile(flat, q) if flat.size else np.float64(np.nan)
    return out


def pck_metrics(dists: NDArray[np.float64]) -> dict[str, Any]:
    """PCK: ``thresholds`` ``(10,)``, ``pcks`` bool ``(n_pairs, n_nodes, 10)``, ``mPCK_parts``
    ``(n_nodes,)`` (mean over pairs, then thresholds), ``mPCK``, ``PCK@5``, ``PCK@10`` (float).
    """
    d = np.where(np.isnan(dists), np.inf, dists)
    pcks = d[:, :, None] < PCK_THRESHOLDS[None, None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        parts = pcks.mean(axis=0).mean(axis=-1)
        return {
            "thresholds": PCK_THRESHOLDS.copy(),
            "pcks": pcks,
            "mPCK_parts": parts,
            "mPCK": float(parts.mean()),
            "PCK@5": float(pcks[:, :, 4].mean()),
            "PCK@10": float(pcks[:, :, 9].mean()),
        }


def visibility_metrics(gt: NDArray[np.float64], pred: NDArray[np.float64]) -> dict[str, Any]:
    """Node visibility agreement over matched pairs (visible = not NaN).

    Args:
        gt: ``(n_pairs, n_nodes, 2)``; pred: same shape.

    Returns:
        ``tp``/``fp``/``tn``/``fn`` (numpy int64) and ``precision``/``recall`` (numpy float64,
        NaN when undefined).
    """
    gv = ~np.isnan(gt).any(axis=-1)
    pv = ~np.isnan(pred).any(axis=-1)
    tp = np.sum(gv & pv, dtype=np.int64)
    fp = np.sum(~gv & pv, dtype=np.int64)
    tn = np.sum(~gv & ~pv, dtype=np.int64)
    fn = np.sum(gv & ~pv, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.float64(tp) / np.float64(tp + fp)
        recall = np.float64(tp) / np.float64(tp + fn)
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "precision": precision, "recall": recall}
