"""Decoding rules per model type (parity notes §3.5, 3.6, 3.7.10, 3.10)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_domain.decoding import (
    centroid_instance_arrays,
    gt_centroids,
    keep_top_instances,
    single_instance_score,
    top_k_centroids,
)

NAN = np.nan


def test_top_k_centroids_reorders_only_when_capping():
    pts = np.zeros((4, 2))
    vals = np.array([0.3, 0.9, 0.5, 0.7])
    assert top_k_centroids(pts, vals, None).tolist() == [0, 1, 2, 3]
    assert top_k_centroids(pts, vals, 4).tolist() == [0, 1, 2, 3]  # raster order kept
    assert top_k_centroids(pts, vals, 2).tolist() == [1, 3]  # descending value
    assert top_k_centroids(pts[:0], vals[:0], 2).tolist() == []
    with pytest.raises(ValueError):
        top_k_centroids(pts[:2], vals, 1)


def test_keep_top_instances_is_stable_descending_with_a_cap():
    scores = np.array([1.0, 3.0, 1.0, 2.0])
    assert keep_top_instances(scores, None).tolist() == [0, 1, 2, 3]
    assert keep_top_instances(scores, 10).tolist() == [1, 3, 0, 2]
    assert keep_top_instances(scores, 3).tolist() == [1, 3, 0]
    assert keep_top_instances(np.zeros(0), 2).tolist() == []


def test_gt_centroids_anchor_else_mean_of_visible():
    pts = np.array(
        [
            [[0, 0], [10, 20], [NAN, NAN]],
            [[NAN, NAN], [4, 6], [8, 10]],
            [[NAN, NAN], [NAN, NAN], [NAN, NAN]],
        ]
    )
    np.testing.assert_allclose(gt_centroids(pts, None), [[5, 10], [6, 8], [NAN, NAN]])
    np.testing.assert_allclose(gt_centroids(pts, 0), [[0, 0], [6, 8], [NAN, NAN]])
    assert gt_centroids(np.zeros((0, 3, 2)), 1).shape == (0, 2)


def test_single_instance_score_is_a_sum():
    assert single_instance_score(np.array([2.6397, 0.5068, 0.0])) == pytest.approx(3.1465)
    assert single_instance_score(np.array([NAN, 0.5])) == 0.5


def test_centroid_only_packaging():
    points, scores = centroid_instance_arrays(np.array([[1.0, 2.0]]), np.array([0.8]), 3, 2)
    assert np.isnan(points[0, :2]).all() and points[0, 2].tolist() == [1.0, 2.0]
    assert scores[0, 2] == 0.8 and np.isnan(scores[0, :2]).all()
    points, _ = centroid_instance_arrays(np.array([[1.0, 2.0]]), np.array([0.8]), 1, 5)
    assert points.shape == (1, 1, 2) and points[0, 0].tolist() == [1.0, 2.0]
