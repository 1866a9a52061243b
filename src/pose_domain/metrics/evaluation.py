"""The reference's full metric set (``sleap-nn eval``, OKS mode) from paired frames."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pose_domain.errors import UnsupportedInputError
from pose_domain.instance import Instance, PredictedInstance
from pose_domain.metrics.matching import MatchedPair, match_frame_instances
from pose_domain.metrics.oks import DEFAULT_OKS_STDDEV
from pose_domain.metrics.pose import (
    distance_metrics,
    pair_distances,
    pck_metrics,
    pck_scores,
    visibility_metrics,
)
from pose_domain.metrics.voc import voc_metrics


@attrs.frozen
class FramePair:
    """A GT frame and its prediction frame.

    Attributes:
        gt: GT instances to evaluate (user instances when ``user_labels_only``).
        pred: Predicted instances of the matching prediction frame.
        frame_idx: Frame index.
        video_path: GT video filename as stored.
    """

    gt: Sequence[Instance]
    pred: Sequence[PredictedInstance]
    frame_idx: int
    video_path: str


@attrs.frozen
class MatchResult:
    """All frames' matched pairs (in frame order) and the number of unmatched GT."""

    pairs: list[MatchedPair]
    n_false_negatives: int


def match_all(
    frame_pairs: Sequence[FramePair],
    *,
    oks_stddev: float = DEFAULT_OKS_STDDEV,
    oks_scale: float | None = None,
    match_threshold: float = 0.0,
) -> MatchResult:
    """Greedy OKS matching of every frame pair (see :mod:`pose_domain.metrics.matching`)."""
    pairs: list[MatchedPair] = []
    n_fn = 0
    for fp in frame_pairs:
        m = match_frame_instances(
            fp.gt,
            fp.pred,
            frame_idx=fp.frame_idx,
            video_path=fp.video_path,
            stddev=oks_stddev,
            scale=oks_scale,
            threshold=match_threshold,
        )
        pairs.extend(m.pairs)
        n_fn += len(m.false_negatives)
    return MatchResult(pairs=pairs, n_false_negatives=n_fn)


def compute_metrics(match: MatchResult, n_nodes: int) -> dict[str, Any]:
    """The reference's metrics dict in OKS mode.

    Args:
        match: Pairs and false-negative count from :func:`match_all`.
        n_nodes: Skeleton size (shapes the empty arrays when there is no pair).

    Returns:
        ``{"voc_metrics", "mOKS", "distance_metrics", "pck_metrics", "visibility_metrics"}``
        with the reference's keys, shapes and scalar types.
    """
    pairs = match.pairs
    if pairs:
        gt = np.stack([p.gt.points for p in pairs])
        pr = np.stack([p.pred.points for p in pairs])
    else:
        gt = np.zeros((0, n_nodes, 2))
        pr = np.zeros((0, n_nodes, 2))
    oks = np.array([p.oks for p in pairs], dtype=np.float64)
    pred_scores = np.array([p.pred.score for p in pairs], dtype=np.float64)
    dists = pair_distances(gt, pr)
    voc: dict[str, Any] = {}
    voc.update(voc_metrics(oks, pred_scores, match.n_false_negatives, "oks_voc"))
    voc.update(voc_metrics(pck_scores(dists), pred_scores, match.n_false_negatives, "pck_voc"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        moks = float(np.mean(oks)) if len(oks) else float("nan")
    return {
        "voc_metrics": voc,
        "mOKS": {"mOKS": moks},
        "distance_metrics": distance_metrics(
            dists, [p.frame_idx for p in pairs], [p.video_path for p in pairs]
        ),
        "pck_metrics": pck_metrics(dists),
        "visibility_metrics": visibility_metrics(gt, pr),
    }


def evaluate_frame_pairs(
    frame_pairs: Sequence[FramePair],
    n_nodes: int,
    *,
    oks_stddev: float = DEFAULT_OKS_STDDEV,
    oks_scale: float | None = None,
    match_threshold: float = 0.0,
) -> dict[str, Any] | None:
    """Match and compute the reference's metrics.

    Returns:
        The metrics dict, or None when there is no predicted instance at all (the reference
        skips metrics then).

    Raises:
        UnsupportedInputError: no frame pairs ("Empty Frame Pairs" in the reference).
    """
    if not frame_pairs:
        raise UnsupportedInputError(
            "no ground-truth frame has a matching prediction frame",
            hint="check that -g and -p refer to the same video(s) and frames",
        )
    if sum(len(fp.pred) for fp in frame_pairs) == 0:
        return None
    match = match_all(
        frame_pairs, oks_stddev=oks_stddev, oks_scale=oks_scale, match_threshold=match_threshold
    )
    return compute_metrics(match, n_nodes)
