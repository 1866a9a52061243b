"""Scores and reductions with hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pose_domain.errors import InvalidOptionError
from pose_domain.tracking.assign import match, scores_to_cost
from pose_domain.tracking.features import bboxes, centroids, compute_features, visible_counts
from pose_domain.tracking.scoring import (
    cosine_matrix,
    euclidean_matrix,
    iou_matrix,
    oks_matrix,
    reduce_by_track,
    score_matrix,
)

NAN = np.nan


def test_oks_uses_current_instance_area_and_zero_for_missing_candidate_nodes() -> None:
    cur = np.array([[[0.0, 0.0], [10.0, 20.0], [NAN, NAN]]])  # area 10*20 = 200
    cand = np.array([[[1.0, 0.0], [NAN, NAN], [5.0, 5.0]]])
    sigma = 0.025
    e = math.exp(-1.0 / ((2 * sigma) ** 2 * 2 * (200 + np.spacing(1))))
    # visible in current: 2 nodes; node 1 missing in candidate -> 0; node 2 not counted
    assert oks_matrix(cur, cand, sigma)[0, 0] == pytest.approx(e / 2, rel=1e-12)


def test_oks_is_nan_without_visible_current_nodes_and_one_for_identity() -> None:
    a = np.array([[[0.0, 0.0], [3.0, 4.0]], [[NAN, NAN], [NAN, NAN]]])
    s = oks_matrix(a, a[:1])
    assert s[0, 0] == pytest.approx(1.0)
    assert np.isnan(s[1, 0])
    assert oks_matrix(a, a[:0]).shape == (2, 0)


def test_iou_uses_the_plus_one_pixel_convention() -> None:
    a = np.array([[0.0, 0.0, 1.0, 1.0]])  # 2x2 pixels
    b = np.array([[1.0, 1.0, 2.0, 2.0]])  # overlaps in one pixel
    assert iou_matrix(a, b)[0, 0] == pytest.approx(1 / 7)


def test_euclidean_and_cosine() -> None:
    f = np.array([[3.0, 4.0]])
    g = np.array([[0.0, 0.0], [6.0, 8.0]])
    assert euclidean_matrix(f, g).tolist() == [[-5.0, -5.0]]
    assert cosine_matrix(f, g)[0, 1] == pytest.approx(1.0)
    assert np.isnan(cosine_matrix(f, g)[0, 0])


def test_features() -> None:
    pts = np.array([[[0.0, 0.0], [2.0, 10.0], [4.0, NAN], [NAN, NAN]]])
    assert visible_counts(pts).tolist() == [2]
    assert centroids(pts).tolist() == [[2.0, 5.0]]  # per-axis nanmedian
    assert bboxes(pts).tolist() == [[0.0, 0.0, 4.0, 10.0]]  # per-axis nanmin/nanmax
    assert compute_features(pts, "keypoints") is pts
    with pytest.raises(InvalidOptionError):
        compute_features(pts, "image")


def test_reduce_by_track_mean_max_quantile_and_nan() -> None:
    scores = np.array([[0.2, 0.4, NAN, 0.9]])
    cols = np.array([0, 0, 1, 2])
    mean = reduce_by_track(scores, cols, 4, "mean")[0]
    assert mean[:3].tolist() == pytest.approx([0.3, NAN, 0.9], nan_ok=True)
    assert np.isnan(reduce_by_track(scores, cols, 4, "mean")[0, 3])
    assert reduce_by_track(scores, cols, 3, "max")[0, 0] == 0.4
    assert np.isnan(reduce_by_track(scores, cols, 3, "max")[0, 1])
    assert reduce_by_track(scores, cols, 3, "robust_quantile", 0.5)[0, 0] == pytest.approx(0.3)


def test_score_matrix_rejects_oks_on_centroids() -> None:
    with pytest.raises(InvalidOptionError):
        score_matrix("oks", np.zeros((1, 2)), np.zeros((1, 2)))


def test_hungarian_replaces_infeasible_costs_and_keeps_every_pair() -> None:
    cost = scores_to_cost(np.array([[0.9, NAN], [NAN, NAN]]))
    assert np.isinf(cost[1, 1])
    pairs = match(cost, "hungarian")
    assert sorted(pairs) == [(0, 0), (1, 1)]  # the infeasible pair is accepted too


def test_greedy_takes_cheapest_cell_first() -> None:
    cost = np.array([[1.0, 0.5], [0.1, 2.0]])
    assert match(cost, "greedy") == [(1, 0), (0, 1)]
