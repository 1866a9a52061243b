"""Centroid-mode evaluation (parity notes §6.5)."""

from __future__ import annotations

import numpy as np

from pose_domain.metrics.centroid import centroid_metrics, gt_centroid, predicted_point

NAN = np.nan


def test_points_collapse_as_the_reference() -> None:
    pts = np.array([[NAN, NAN], [4.0, 2.0], [8.0, 6.0]])
    np.testing.assert_array_equal(predicted_point(pts), [4.0, 2.0])
    np.testing.assert_array_equal(gt_centroid(pts), [6.0, 4.0])
    np.testing.assert_array_equal(gt_centroid(pts, anchor=2), [8.0, 6.0])
    np.testing.assert_array_equal(gt_centroid(pts, anchor=0), [6.0, 4.0])  # anchor missing


def test_hungarian_pairs_within_the_distance_count() -> None:
    gt = [np.array([[0.0, 0.0]]), np.array([[100.0, 0.0]]), np.array([[NAN, NAN]])]
    pred = [np.array([[3.0, 4.0]]), np.array([[100.0, 60.0]]), np.array([[NAN, NAN]])]
    m = centroid_metrics([(gt, pred, 7, "v.mp4")])  # 0 -> 50 px
    det = m["detection_metrics"]
    assert (det["n_tp"], det["n_fp"], det["n_fn"]) == (1, 1, 2)
    assert det["avg"] == 5.0 and m["distance_metrics"]["frame_idxs"] == [7]
    m = centroid_metrics([(gt, pred, 7, "v.mp4")], max_distance=70)
    assert m["detection_metrics"]["n_tp"] == 2
