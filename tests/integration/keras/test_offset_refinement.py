"""``--legacy_offset_refinement``: grid peak + learned offset (SLEAP 1.4), only when asked and
only when the runtime returned ``offsets``; integral refinement otherwise (reference)."""

from __future__ import annotations

import numpy as np

from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.stages import _global_peaks, _local_peaks


def _outputs() -> NetworkOutputs:
    cms = np.zeros((1, 2, 8, 8), np.float32)
    cms[0, 0, 2, 5] = 1.0  # node 0 at (x=5, y=2)
    cms[0, 1, 6, 1] = 0.9  # node 1 at (x=1, y=6)
    cms[0, 1, 6, 2] = 0.3  # makes integral refinement move node 1
    offs = np.zeros((1, 4, 8, 8), np.float32)
    offs[0, 0, 2, 5], offs[0, 1, 2, 5] = 0.25, -0.5  # node 0: dx, dy
    offs[0, 2, 6, 1], offs[0, 3, 6, 1] = -0.125, 0.375  # node 1
    return NetworkOutputs(confmaps=cms, offsets=offs)


def test_global_peaks_add_offsets_at_the_grid_peak() -> None:
    pts, vals = _global_peaks(_outputs(), InferenceOptions(legacy_offset_refinement=True))
    np.testing.assert_allclose(pts[0], [[5.25, 1.5], [0.875, 6.375]])
    np.testing.assert_allclose(vals[0], [1.0, 0.9])


def test_local_peaks_add_offsets_at_the_grid_peak() -> None:
    found = _local_peaks(_outputs(), InferenceOptions(legacy_offset_refinement=True))
    got = sorted(map(tuple, np.round(found.points, 6)))
    assert got == [(0.875, 6.375), (5.25, 1.5)]


def test_default_ignores_offsets_and_refines_like_the_reference() -> None:
    out = _outputs()
    pts, _ = _global_peaks(out, InferenceOptions())
    plain, _ = _global_peaks(NetworkOutputs(confmaps=out.confmaps), InferenceOptions())
    np.testing.assert_array_equal(pts, plain)
    assert pts[0, 1, 0] > 1.0  # integral refinement pulled node 1 towards x=2


def test_flag_without_offsets_output_keeps_integral_refinement() -> None:
    cms = NetworkOutputs(confmaps=_outputs().confmaps)
    on, _ = _global_peaks(cms, InferenceOptions(legacy_offset_refinement=True))
    off, _ = _global_peaks(cms, InferenceOptions())
    np.testing.assert_array_equal(on, off)
