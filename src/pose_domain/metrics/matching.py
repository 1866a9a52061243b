"""VOC-style greedy instance matching of one frame, as ``sleap-nn eval`` does it.

Predictions are visited by descending instance score (stable sort). Each takes the remaining
GT with the highest OKS; OKS values ``<= threshold`` cannot match (so OKS exactly 0 never
matches with the default threshold 0). Matched GT are removed; the loop ends when no GT is
left. Unmatched GT are false negatives; unmatched predictions are ignored (they are not false
positives in the reference's VOC metrics).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from pose_domain.instance import Instance, PredictedInstance
from pose_domain.metrics.oks import DEFAULT_OKS_STDDEV, compute_oks


@attrs.frozen
class MatchedPair:
    """A GT instance matched to a prediction.

    Attributes:
        gt: The ground-truth instance.
        pred: The predicted instance.
        oks: Their OKS (the match score), in ``(threshold, 1]``.
        frame_idx: Frame index of the GT frame.
        video_path: Filename of the GT video, as stored.
    """

    gt: Instance
    pred: PredictedInstance
    oks: float
    frame_idx: int
    video_path: str


@attrs.frozen
class FrameMatch:
    """Matching result of one frame pair."""

    pairs: list[MatchedPair]
    false_negatives: list[Instance]


def match_frame_instances(
    gt: Sequence[Instance],
    pred: Sequence[PredictedInstance],
    *,
    frame_idx: int,
    video_path: str,
    stddev: float = DEFAULT_OKS_STDDEV,
    scale: float | None = None,
    threshold: float = 0.0,
) -> FrameMatch:
    """Greedy OKS matching of one frame's predictions to its GT.

    Args:
        gt: GT instances of the frame (user instances).
        pred: Predicted instances of the same frame.
        frame_idx: Frame index recorded in the pairs.
        video_path: Video filename recorded in the pairs.
        stddev: OKS σ.
        scale: Fixed OKS area in px², or None for each GT's bounding-box area.
        threshold: OKS values at or below it never match.

    Returns:
        Pairs in the order the predictions were visited, and the unmatched GT.
    """
    scores = np.array([p.score for p in pred], dtype=np.float64)
    order = np.argsort(-scores, kind="mergesort")
    remaining = list(gt)
    pairs: list[MatchedPair] = []
    for pi in order:
        if not remaining:
            break
        p = pred[int(pi)]
        g_pts = np.stack([g.points for g in remaining])
        oks = compute_oks(g_pts, p.points, stddev=stddev, scale=scale)[:, 0]
        oks = np.where(oks <= threshold, np.nan, oks)
        if np.all(np.isnan(oks)):
            continue
        best = int(np.argsort(-oks, kind="stable")[0])
        pairs.append(
            MatchedPair(
                gt=remaining[best],
                pred=p,
                oks=float(oks[best]),
                frame_idx=frame_idx,
                video_path=video_path,
            )
        )
        del remaining[best]
    return FrameMatch(pairs=pairs, false_negatives=remaining)
