"""The reference's OKS-mode metrics on small hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pose_domain.errors import UnsupportedInputError
from pose_domain.instance import Instance, PredictedInstance
from pose_domain.metrics.evaluation import FramePair, evaluate_frame_pairs
from pose_domain.metrics.matching import match_frame_instances
from pose_domain.metrics.oks import compute_oks
from pose_domain.metrics.pose import pck_scores, visibility_metrics
from pose_domain.metrics.voc import voc_metrics

NAN = np.nan


def gt(points) -> Instance:
    return Instance(points=np.asarray(points, dtype=float))


def pred(points, score: float = 1.0) -> PredictedInstance:
    pts = np.asarray(points, dtype=float)
    return PredictedInstance.from_arrays(pts, np.ones(len(pts)), score)


# --- OKS -------------------------------------------------------------------------------------
def test_oks_identical_pose_is_one() -> None:
    g = np.array([[0.0, 0.0], [10.0, 10.0], [20.0, 5.0]])
    assert compute_oks(g, g)[0, 0] == pytest.approx(1.0)


def test_oks_missing_prediction_node_counts_zero() -> None:
    g = np.array([[0.0, 0.0], [10.0, 10.0], [20.0, 5.0]])
    p = g.copy()
    p[2] = NAN
    assert compute_oks(g, p)[0, 0] == pytest.approx(2 / 3)


def test_oks_missing_gt_node_is_not_counted() -> None:
    g = np.array([[0.0, 0.0], [10.0, 10.0], [NAN, NAN]])
    p = np.array([[0.0, 0.0], [10.0, 10.0], [20.0, 5.0]])
    assert compute_oks(g, p)[0, 0] == pytest.approx(1.0)


def test_oks_cocoeval_formula() -> None:
    g = np.array([[0.0, 0.0], [40.0, 30.0]])  # area 1200
    p = np.array([[3.0, 4.0], [40.0, 30.0]])  # d = 5, 0
    k = math.exp(-25 / (0.05**2 * 2 * 1200))
    assert compute_oks(g, p)[0, 0] == pytest.approx((k + 1) / 2, rel=1e-12)
    assert compute_oks(g, p, scale=100)[0, 0] == pytest.approx(
        (math.exp(-25 / (0.05**2 * 2 * 100)) + 1) / 2, rel=1e-12
    )


@pytest.mark.parametrize(
    ("g", "p", "expected"),
    [  # values given by the reference binary on these constructed poses
        ([[0, 0], [40, 0]], [[3, 4], [40, 10]], 0.85),
        ([[0, 0], [40, 0]], [[NAN, NAN], [40, 10]], 0.8),
        ([[0, 0], [0, 40]], [[0, 20], [0, 40]], 0.8),
        ([[0, 0], [NAN, NAN]], [[3, 4], [5, 5]], 0.9),
        ([[0, 0], [40, 0]], [[10, 0], [40, 60]], 0.3),
        ([[0, 0], [40, 0]], [[0, 0], [140, 0]], 0.0),
    ],
)
def test_oks_degenerate_gt_area_uses_linear_distance_score(g, p, expected) -> None:
    g = np.asarray(g, dtype=float)
    p = np.asarray(p, dtype=float)
    assert compute_oks(g, p)[0, 0] == pytest.approx(expected, abs=1e-12)
    assert compute_oks(g, p, scale=100.0)[0, 0] == pytest.approx(expected, abs=1e-12)


# --- matching --------------------------------------------------------------------------------
def test_greedy_matching_by_score_and_threshold() -> None:
    a = [[0.0, 0.0], [40.0, 30.0]]
    b = [[200.0, 200.0], [240.0, 230.0]]
    gts = [gt(a), gt(b)]
    # The high-score prediction sits on b; the low-score one also prefers b but b is taken.
    preds = [pred(np.add(b, 1.0), score=0.2), pred(b, score=0.9)]
    m = match_frame_instances(gts, preds, frame_idx=3, video_path="v.mp4")
    assert [p.pred.score for p in m.pairs] == [0.9]
    assert m.pairs[0].gt is gts[1] and m.pairs[0].oks == pytest.approx(1.0)
    assert m.false_negatives == [gts[0]]  # OKS with a is exactly 0: never matches
    m = match_frame_instances(gts, preds, frame_idx=3, video_path="v.mp4", threshold=1.0)
    assert m.pairs == [] and len(m.false_negatives) == 2


# --- VOC, PCK, visibility --------------------------------------------------------------------
def test_voc_metrics_hand_computed() -> None:
    v = voc_metrics(np.array([0.9, 0.6]), np.array([0.5, 0.8]), 2, "oks_voc")
    # Sorted by prediction score: [0.6, 0.9]; 4 GT in all.
    assert v["oks_voc.match_scores"].tolist() == [0.6, 0.9]
    assert v["oks_voc.recalls"][0] == pytest.approx(0.5)  # t=0.5: both pass
    assert v["oks_voc.recalls"][8] == pytest.approx(0.25)  # t=0.9: only 0.9 passes, last
    assert v["oks_voc.recalls"][9] == 0.0  # t=0.95: none
    assert v["oks_voc.precisions"].shape == (10, 101)
    # t=0.5: precision 1 up to recall 0.5, then 0 → AP = 51/101
    assert v["oks_voc.AP"][0] == pytest.approx(51 / 101, rel=1e-9)
    assert v["oks_voc.mAR"] == pytest.approx(np.mean(v["oks_voc.recalls"]))


def test_voc_metrics_without_pairs_are_zero() -> None:
    v = voc_metrics(np.zeros(0), np.zeros(0), 3, "pck_voc")
    assert v["pck_voc.mAP"] == 0 and v["pck_voc.mAR"] == 0
    assert not v["pck_voc.precisions"].any()


def test_pck_score_rounding_matches_reference() -> None:
    # node 0 within 4..10 px thresholds (7/10), node 1 within 5..10 (6/10): (0.7+0.6)/2
    s = pck_scores(np.array([[3.5, 4.5]]))
    assert s[0] == (0.7 + 0.6) / 2 and s[0] < 0.65


def test_visibility_metrics() -> None:
    g = np.array([[[0, 0], [1, 1], [NAN, NAN]]], dtype=float)
    p = np.array([[[0, 0], [NAN, NAN], [2, 2]]], dtype=float)
    v = visibility_metrics(g, p)
    assert (v["tp"], v["fp"], v["tn"], v["fn"]) == (1, 1, 0, 1)
    assert v["precision"] == 0.5 and v["recall"] == 0.5


# --- the whole set ---------------------------------------------------------------------------
def test_evaluate_frame_pairs_layout_and_values() -> None:
    g = gt([[0.0, 0.0], [40.0, 30.0]])
    p = pred([[3.0, 4.0], [40.0, 30.0]], 0.7)
    fps = [FramePair(gt=[g, gt([[100, 100], [140, 130]])], pred=[p], frame_idx=5,
                     video_path="v.mp4")]
    m = evaluate_frame_pairs(fps, 2)
    assert m is not None
    assert list(m) == ["voc_metrics", "mOKS", "distance_metrics", "pck_metrics",
                       "visibility_metrics"]
    d = m["distance_metrics"]
    assert d["frame_idxs"] == [5] and d["video_paths"] == ["v.mp4"]
    np.testing.assert_allclose(d["dists"], [[5.0, 0.0]])
    assert d["avg"] == 2.5 and isinstance(d["avg"], float)
    assert m["pck_metrics"]["pcks"].shape == (1, 2, 10)
    assert m["pck_metrics"]["PCK@5"] == 0.5 and m["pck_metrics"]["PCK@10"] == 1.0
    # OKS = (exp(-25/6) + 1)/2 = 0.5078: passes t=0.5 only; 1 pair + 1 missed GT.
    assert m["mOKS"]["mOKS"] == pytest.approx((math.exp(-25 / 6) + 1) / 2)
    assert m["voc_metrics"]["oks_voc.recalls"][:2].tolist() == [0.5, 0.0]
    assert m["visibility_metrics"]["recall"] == 1.0


def test_no_pairs_raise_and_no_predictions_skip() -> None:
    with pytest.raises(UnsupportedInputError):
        evaluate_frame_pairs([], 2)
    fps = [FramePair(gt=[gt([[0, 0], [1, 1]])], pred=[], frame_idx=0, video_path="")]
    assert evaluate_frame_pairs(fps, 2) is None
