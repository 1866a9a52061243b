"""The two ``run_inference`` defects of issue 17, and local refinement end to end."""

from __future__ import annotations

import numpy as np

from pose import run_inference
from tests.conftest import DATA

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
SINGLE = str(DATA / "models" / "sleapnn" / "single_instance")


def _points(**options) -> np.ndarray:
    out = run_inference(VIDEO, SINGLE, make_labels=False, frames="0-2", progress="none",
                        **options)
    return np.concatenate(out["points"])


def test_integral_refinement_true_means_integral():
    # Before the converter, any value but the string "integral" turned refinement off.
    np.testing.assert_array_equal(_points(integral_refinement=True),
                                  _points(integral_refinement="integral"))
    assert not np.allclose(_points(integral_refinement=True),
                           _points(integral_refinement=False), equal_nan=True)


def test_progress_as_a_string():
    # Before: AttributeError: 'str' object has no attribute 'start'.
    out = run_inference(VIDEO, SINGLE, make_labels=False, frames="0", progress="none")
    assert list(out["frame_idx"]) == [0]


def test_local_refinement_moves_by_a_quarter_stride():
    # In frame pixels one grid cell is ``stride / input_scale / sizing`` pixels: every move is
    # 0 or the same quarter of that cell, and the unrefined peaks sit on whole cells.
    rough = _points(integral_refinement="none")
    local = _points(integral_refinement="local")
    shift = local - rough
    ok = np.isfinite(shift)
    moved = np.abs(shift[ok])
    assert moved.max() > 0
    quarter = moved.max()
    assert set(np.round(moved / quarter, 6).tolist()) <= {0.0, 1.0}
    cells = rough[ok] / (4 * quarter)
    np.testing.assert_allclose(cells, np.round(cells), atol=1e-6)
