"""Identity assignment from class maps and class vectors (parity notes §3.8, 3.9)."""

from __future__ import annotations

import numpy as np

from pose_domain.identity import assign_class_map_identities, assign_class_vector_identities
from pose_domain.peaks import PeakSet


def _peaks(points, channels, values) -> PeakSet:
    return PeakSet(np.asarray(points, float), values, np.zeros(len(points)), channels)


def test_class_maps_assign_peaks_to_their_class_slots():
    maps = np.zeros((2, 8, 8), np.float32)
    maps[0, :, :4] = 0.9  # class 0 ("female") on the left half
    maps[1, :, 4:] = 0.8  # class 1 on the right half
    maps[1, :, :4] = 0.1
    maps[0, :, 4:] = 0.2
    # Input pixels with stride 2: x = 2 → cell 1 (left), x = 12 → cell 6 (right).
    peaks = _peaks([[2, 2], [12, 2], [13, 4], [3, 5]], [0, 0, 1, 1], [0.5, 0.6, 0.7, 0.4])
    points, scores, inst, track = assign_class_map_identities(peaks, maps, 2, 2)
    np.testing.assert_array_equal(points[0], [[2, 2], [3, 5]])
    np.testing.assert_array_equal(points[1], [[12, 2], [13, 4]])
    np.testing.assert_allclose(scores, [[0.5, 0.4], [0.6, 0.7]])
    np.testing.assert_allclose(inst, [0.45, 0.65])
    np.testing.assert_allclose(track, [0.9, 0.8], rtol=1e-6)


def test_assignment_not_to_the_best_class_is_dropped():
    maps = np.zeros((2, 4, 4), np.float32)
    maps[0] = 0.9  # every peak prefers class 0
    maps[1] = 0.3
    peaks = _peaks([[0, 0], [3, 3]], [0, 0], [1.0, 0.5])
    points, _scores, inst, track = assign_class_map_identities(peaks, maps, 1, 1)
    # Hungarian gives one peak class 0 and the other class 1; class 1 is not its best.
    assert not np.isnan(points[0, 0]).any() and np.isnan(points[1, 0]).all()
    assert np.isnan(inst[1]) and np.isnan(track[1])


def test_rounding_is_half_to_even_and_clipped():
    maps = np.zeros((2, 4, 4), np.float32)
    maps[0, 0, 2] = 1.0  # x = 2.5 → 2 (half to even), y = -3 → clipped to 0
    maps[1, 0, 3] = 1.0
    peaks = _peaks([[2.5, -3.0]], [0], [0.7])
    points, *_ = assign_class_map_identities(peaks, maps, 1, 1)
    np.testing.assert_array_equal(points[0, 0], [2.5, -3.0])
    assert np.isnan(points[1]).all()


def test_no_peaks_gives_all_nan_slots():
    points, _scores, inst, _track = assign_class_map_identities(
        PeakSet.empty(), np.zeros((3, 4, 4), np.float32), 2, 4
    )
    assert points.shape == (3, 2, 2) and np.isnan(points).all() and np.isnan(inst).all()


def test_class_vectors_hungarian_with_more_crops_than_classes():
    probs = np.array([[0.6, 0.4], [0.7, 0.3], [0.1, 0.9]], np.float32)
    inds, p = assign_class_vector_identities(probs)
    # Best total: crop1→0 (0.7) + crop2→1 (0.9); crop0 gets none.
    assert inds.tolist() == [-1, 0, 1]
    assert np.isnan(p[0])
    np.testing.assert_allclose(p[1:], [0.7, 0.9], rtol=1e-6)
    inds, p = assign_class_vector_identities(np.zeros((0, 2)))
    assert inds.shape == (0,) and p.shape == (0,)
