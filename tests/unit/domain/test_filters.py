"""Post-inference filters (parity notes §3.12)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_domain.filters import (
    FilterParams,
    filter_instances,
    iou_one_to_many,
    nms_indices,
    nms_oks,
)
from pose_domain.instance import PredictedInstance

NAN = np.nan


def _inst(points, scores, score) -> PredictedInstance:
    return PredictedInstance.from_arrays(points, scores, score)


def test_defaults_keep_everything_in_order():
    insts = [_inst([[0, 0], [NAN, NAN]], [0.1, 0.0], 0.01) for _ in range(3)]
    assert filter_instances(insts, FilterParams()) == insts


def test_node_count_filters():
    a = _inst([[0, 0], [1, 1], [2, 2]], [1, 1, 1], 1)
    b = _inst([[0, 0], [NAN, NAN], [NAN, NAN]], [1, 0, 0], 1)
    assert filter_instances([a, b], FilterParams(min_visible_nodes=2)) == [a]
    assert filter_instances([a, b], FilterParams(min_visible_node_fraction=0.5)) == [a]
    assert filter_instances([a, b], FilterParams(min_visible_node_fraction=1 / 3)) == [a, b]


def test_confidence_filters_and_mean_semantics():
    # Missing node scored 0.0 (global-peak models): visible mean 0.8, all-node mean 0.4.
    a = _inst([[0, 0], [NAN, NAN]], [0.8, 0.0], 2.0)
    b = _inst([[0, 0], [1, 1]], [0.5, 0.5], 0.5)
    assert filter_instances([a, b], FilterParams(min_instance_score=1.0)) == [a]
    assert filter_instances([a, b], FilterParams(min_mean_node_score=0.6)) == [a]
    new_stack = FilterParams(min_mean_node_score=0.45, mean_over_visible=False)
    assert filter_instances([a, b], new_stack) == [b]
    none_visible = _inst([[NAN, NAN], [NAN, NAN]], [NAN, NAN], 5.0)
    assert filter_instances([none_visible], FilterParams(min_mean_node_score=0.1)) == []


def test_iou_and_oks_similarities():
    box = np.array([0.0, 0.0, 2.0, 2.0])
    np.testing.assert_allclose(
        iou_one_to_many(box, np.array([[1.0, 0, 3, 2], [5, 5, 6, 6], [0, 0, 0, 0]])),
        [2 / 6, 0, 0],
    )
    a = np.array([[0.0, 0.0], [10.0, 10.0]])
    assert nms_oks(a, a) == 1.0
    b = a + np.array([1.0, 0.0])
    assert nms_oks(a, b) == pytest.approx(np.exp(-1 / (2 * 100 * 0.01)))
    assert nms_oks(a[:1], a[:1]) == 0.0  # fewer than 2 visible nodes in A


def test_nms_keeps_best_and_reorders_by_score():
    pts = np.array(
        [
            [[0, 0], [10, 10]],
            [[0.5, 0], [10, 10.5]],  # overlaps 0 strongly
            [[50, 50], [60, 60]],
            [[0, 0], [10, 10]],  # identical to 0
        ],
        float,
    )
    scores = np.array([0.5, 0.9, 0.7, 0.5])
    # Order: 1 (0.9), 2 (0.7), then the tie 3, 0 (argsort()[::-1]: later index first).
    assert nms_indices(pts, scores, "iou", 0.8).tolist() == [1, 2]
    assert nms_indices(pts, scores, "iou", 1.0).tolist() == [1, 2, 3, 0]
    assert nms_indices(pts, scores, "oks", 0.8).tolist() == [1, 2]
    assert nms_indices(np.zeros((0, 2, 2)), np.zeros(0), "iou", 0.5).tolist() == []
    with pytest.raises(ValueError, match="iou"):
        nms_indices(pts, scores, "giou", 0.5)


def test_filter_instances_overlap_returns_descending_score_order():
    a = _inst([[0, 0], [10, 10]], [1, 1], 0.2)
    b = _inst([[50, 50], [60, 60]], [1, 1], 0.9)
    c = _inst([[0, 0], [10, 10.1]], [1, 1], 0.1)
    out = filter_instances([a, b, c], FilterParams(overlapping=True))
    assert out == [b, a]


def test_centroid_distance_nms_keeps_the_best_of_close_centroids() -> None:
    from pose_domain.filters import centroid_distance_keep

    cents = np.array([[0.0, 0.0], [3.0, 4.0], [20.0, 0.0], [np.nan, np.nan]])
    keep = centroid_distance_keep(cents, np.array([0.5, 0.9, 0.1, 1.0]), 5.0)
    assert keep.tolist() == [True, True, True, False]  # distance 5 is not < 5
    keep = centroid_distance_keep(cents, np.array([0.5, 0.9, 0.1, 1.0]), 5.1)
    assert keep.tolist() == [False, True, True, False]
