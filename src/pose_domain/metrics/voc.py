"""VOC-style precision/recall over match-score thresholds, as ``sleap-nn eval`` reports them.

Only matched pairs enter: a pair whose match score is below a threshold is a false positive,
and the recall denominator is ``n_pairs + n_false_negatives``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

EPS = float(np.spacing(1))


def voc_metrics(
    match_scores: NDArray[np.float64],
    pred_scores: NDArray[np.float64],
    n_false_negatives: int,
    prefix: str,
) -> dict[str, Any]:
    """Precision/recall curves, AP, AR, mAP and mAR.

    Args:
        match_scores: ``(n_pairs,)`` float: OKS or PCK score of each matched pair (pair order).
        pred_scores: ``(n_pairs,)`` float: instance score of each pair's prediction.
        n_false_negatives: Number of unmatched GT instances.
        prefix: Key prefix, ``"oks_voc"`` or ``"pck_voc"``.

    Returns:
        Keys ``{prefix}.match_score_thresholds`` ``(10,)`` (0.5…0.95),
        ``.recall_thresholds`` ``(101,)``, ``.match_scores`` ``(n_pairs,)``,
        ``.precisions`` ``(10, 101)``, ``.recalls``/``.AP``/``.AR`` ``(10,)``, ``.mAP``,
        ``.mAR`` (numpy float64). Everything is 0 when there are no pairs.
    """
    match_scores = np.asarray(match_scores, dtype=np.float64)
    thresholds = np.linspace(0.5, 0.95, 10)
    recall_thresholds = np.linspace(0, 1, 101)
    precisions = np.zeros((len(thresholds), len(recall_thresholds)))
    recalls = np.zeros(len(thresholds))
    n_pairs = len(match_scores)
    order = np.argsort(-np.asarray(pred_scores, dtype=np.float64), kind="mergesort")
    ms = match_scores[order]
    if n_pairs > 0:
        n_gt = n_pairs + n_false_negatives
        for t, thr in enumerate(thresholds):
            hit = ms >= thr
            tp = np.cumsum(hit)
            fp = np.cumsum(~hit)
            rc = tp / n_gt
            pr = tp / (fp + tp + EPS)
            pr = np.maximum.accumulate(pr[::-1])[::-1]  # non-increasing from the right
            idx = np.searchsorted(rc, recall_thresholds, side="left")
            inside = idx < len(pr)
            precisions[t, inside] = pr[idx[inside]]
            recalls[t] = rc[-1]
    ap = precisions.mean(axis=1)
    return {
        f"{prefix}.match_score_thresholds": thresholds,
        f"{prefix}.recall_thresholds": recall_thresholds,
        f"{prefix}.match_scores": ms,
        f"{prefix}.precisions": precisions,
        f"{prefix}.recalls": recalls,
        f"{prefix}.AP": ap,
        f"{prefix}.AR": recalls.copy(),
        f"{prefix}.mAP": np.mean(precisions),
        f"{prefix}.mAR": np.mean(recalls),
    }
