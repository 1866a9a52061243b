"""Local refinement: a quarter-cell step toward the larger neighbour (SLEAP 1.x "local")."""

from __future__ import annotations

import numpy as np

from pose_domain import peaks


def _maps() -> np.ndarray:
    cms = np.zeros((1, 3, 8, 8), np.float32)
    cms[0, 0, 4, 4] = 1.0
    cms[0, 0, 4, 5] = 0.5  # right neighbour larger: +x
    cms[0, 0, 3, 4] = 0.4  # upper neighbour larger: -y
    cms[0, 1, 2, 2] = 1.0  # symmetric: no move
    cms[0, 1, 2, 1] = cms[0, 1, 2, 3] = 0.3
    cms[0, 2, 0, 0] = 1.0  # corner: outside cells read 0, like the zero inside
    return cms


def test_steps_toward_the_larger_neighbour():
    rough = np.array([[4.0, 4.0], [2.0, 2.0], [0.0, 0.0]])
    out = peaks.refine_local(_maps(), np.zeros(3, int), np.arange(3), rough)
    np.testing.assert_array_equal(out, [[4.25, 3.75], [2.0, 2.0], [0.0, 0.0]])


def test_every_move_is_zero_or_a_quarter():
    cms = np.random.default_rng(1).random((2, 4, 16, 16)).astype(np.float32)
    pts, _ = peaks.find_global_peaks(cms, 0.0, refine=False)
    moved = peaks.local_refine_global(cms, pts) - pts
    assert set(np.unique(moved).tolist()) <= {-0.25, 0.0, 0.25}
    found = peaks.find_local_peaks(cms, 0.5, refine=False)
    shift = peaks.local_refine_peaks(cms, found).points - found.points
    assert set(np.unique(shift).tolist()) <= {-0.25, 0.0, 0.25}
    np.testing.assert_array_equal(peaks.local_refine_peaks(cms, found).values, found.values)


def test_missing_peaks_stay_missing():
    cms = _maps()
    pts, _ = peaks.find_global_peaks(cms, 0.9, refine=False)
    pts[0, 1] = np.nan
    out = peaks.local_refine_global(cms, pts)
    assert np.isnan(out[0, 1]).all()
    assert len(peaks.local_refine_peaks(cms, peaks.PeakSet.empty())) == 0
