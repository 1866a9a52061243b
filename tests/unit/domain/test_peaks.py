"""Peak finding: parity with sleap-nn 0.3.5 (kernel fixtures + oracle-probed small cases)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pose_domain.peaks import PeakSet, find_global_peaks, find_local_peaks, refine_integral

KERNELS = Path(__file__).resolve().parents[2] / "data" / "kernels"


@pytest.fixture(scope="module")
def kernel_data() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    cms = np.load(KERNELS / "minimal_cms.npy")[None]
    with np.load(KERNELS / "peaks_reference.npz") as ref:
        return cms, {k: ref[k] for k in ref.files}


@pytest.mark.parametrize("thr", [0.1, 0.2])
@pytest.mark.parametrize("refine", [False, True])
def test_global_peaks_match_reference(kernel_data, thr, refine):
    cms, ref = kernel_data
    key = f"global_thr{thr}_{'integral' if refine else 'none'}"
    points, values = find_global_peaks(cms, thr, refine=refine)
    assert points.shape == (1, 13, 2) and points.dtype == np.float64
    np.testing.assert_array_equal(np.isnan(points), np.isnan(ref[key + "_peaks"]))
    np.testing.assert_allclose(points, ref[key + "_peaks"], atol=1e-4)
    np.testing.assert_array_equal(values, ref[key + "_vals"].astype(np.float64))


@pytest.mark.parametrize("thr", [0.1, 0.2])
@pytest.mark.parametrize("refine", [False, True])
def test_local_peaks_match_reference(kernel_data, thr, refine):
    cms, ref = kernel_data
    key = f"local_thr{thr}_{'integral' if refine else 'none'}"
    found = find_local_peaks(cms, thr, refine=refine)
    assert isinstance(found, PeakSet)
    assert len(found) == len(ref[key + "_vals"])
    np.testing.assert_array_equal(found.channels, ref[key + "_channels"])
    np.testing.assert_array_equal(found.samples, ref[key + "_samples"])
    np.testing.assert_array_equal(found.values, ref[key + "_vals"].astype(np.float64))
    np.testing.assert_allclose(found.points, ref[key + "_peaks"], atol=1e-4)


def test_documented_reference_numbers(kernel_data):
    cms, _ = kernel_data
    points, values = find_global_peaks(cms, 0.1, refine=False)
    assert tuple(points[0, 0]) == (27.0, 23.0)
    assert values[0, 0] == pytest.approx(0.9163541793823242, abs=0)
    assert tuple(points[0, 10]) == (0.0, 0.0) and values[0, 10] == 1.0
    refined, _ = find_global_peaks(cms, 0.1, refine=True)
    np.testing.assert_allclose(refined[0, 0], (27.2498, 22.8141), atol=1e-3)
    np.testing.assert_allclose(refined[0, 10], (0.3252, 0.3252), atol=1e-3)
    np.testing.assert_allclose(refined[0, 11], (24.8141, 30.0), atol=1e-3)
    local = find_local_peaks(cms, 0.1, refine=False)
    assert local.channels.tolist() == [10, 6, 8, 0, 12, 11, 5, 1, 7, 2, 4, 3, 9]
    np.testing.assert_allclose(find_local_peaks(cms, 0.1).points[0], (0.32524, 0.32524), atol=1e-4)


def _maps(h: int = 10, w: int = 10, **pixels: float) -> np.ndarray:
    cms = np.zeros((1, 1, h, w), np.float32)
    for key, v in pixels.items():
        x, y = (int(t) for t in key[1:].split("_"))
        cms[0, 0, y, x] = v
    return cms


def test_mixed_coordinate_tie_quirk():
    cms = _maps(p7_2=1.0, p3_6=1.0)
    points, values = find_global_peaks(cms, 0.1, refine=False)
    assert tuple(points[0, 0]) == (3.0, 2.0) and values[0, 0] == 1.0
    # The patch around the mixed coordinate is all zeros: 0/0 → NaN, value kept.
    points, values = find_global_peaks(cms, 0.1, refine=True)
    assert np.isnan(points[0, 0]).all() and values[0, 0] == 1.0


@pytest.mark.parametrize(
    ("pixels", "expected"),
    [
        ({"p4_4": 1.0, "p5_4": 0.5, "p4_5": 0.25}, (4.2857, 4.1429)),
        ({"p0_0": 1.0, "p1_0": 0.5}, (0.3333, 0.0)),
    ],
)
def test_integral_refinement_examples(pixels, expected):
    cms = _maps(**pixels)
    gp, _ = find_global_peaks(cms, 0.1)
    np.testing.assert_allclose(gp[0, 0], expected, atol=1e-4)
    np.testing.assert_allclose(find_local_peaks(cms, 0.1).points[0], expected, atol=1e-4)


@pytest.mark.parametrize(("k", "expected"), [(3, 4.0), (4, 4.5), (5, 4.0), (6, 4.5)])
def test_even_patch_biases_by_half(k, expected):
    cms = _maps(p4_4=1.0)
    np.testing.assert_allclose(find_local_peaks(cms, 0.1, patch_size=k).points[0], expected)
    np.testing.assert_allclose(find_global_peaks(cms, 0.1, patch_size=k)[0][0, 0], expected)


def test_threshold_semantics_in_map_dtype():
    cms = np.zeros((1, 2, 6, 6), np.float32)
    cms[0, 0, 2, 3] = np.float32(0.03)
    cms[0, 1, 2, 3] = 0.05
    points, values = find_global_peaks(cms, 0.03, refine=False)
    # float32(0.03) < 0.03 in float64, but torch compares in float32: equal → kept.
    assert values[0, 0] == pytest.approx(0.03) and not np.isnan(points[0, 0]).any()
    local = find_local_peaks(cms, 0.03, refine=False)  # strict: the equal one is dropped
    assert local.channels.tolist() == [1]
    points, values = find_global_peaks(cms, 0.06, refine=False)
    assert np.isnan(points).all() and (values == 0.0).all()


# Plateau outcomes probed on sleap-nn 0.3.5 (which differs from 0.3.3's "no peak").
@pytest.mark.parametrize(
    ("pixels", "rough", "refined_k5", "refined_k4"),
    [
        ({"p3_3": 1, "p4_3": 1}, (3.5, 3.0), (3.5, 3.0), None),
        ({"p3_3": 1, "p3_4": 1, "p4_3": 1, "p4_4": 1}, (3.5, 3.5), (3.5, 3.5), None),
        ({"p3_3": 1, "p4_4": 1}, (3.5, 3.5), (3.5, 3.5), None),
        ({"p3_3": 1, "p2_4": 1}, (2.5, 3.5), (2.5, 3.5), None),
        ({"p3_3": 1, "p3_4": 1, "p2_4": 1}, (2.6667, 3.6667), None, None),
        ({"p3_3": 1, "p4_3": 1, "p3_4": 1}, (3.3333, 3.3333), (3.3333, 3.3333), None),
        ({"p0_0": 1, "p1_0": 1}, (0.5, 0.0), (0.5, 0.0), None),
        (
            {"p3_3": 1, "p4_3": 1, "p2_3": 0.5, "p3_2": 0.3},
            (3.5, 3.0),
            (3.1786, 2.8929),
            (3.6786, 3.3929),
        ),
        ({"p3_3": 1, "p2_4": 1, "p3_2": 0.3}, (2.5, 3.5), (2.5652, 3.3043), None),
    ],
)
def test_small_plateaus_give_one_peak(pixels, rough, refined_k5, refined_k4):
    cms = _maps(h=9, w=9, **pixels)
    found = find_local_peaks(cms, 0.1, refine=False)
    assert len(found) == 1 and found.values[0] == 1.0
    np.testing.assert_allclose(found.points[0], rough, atol=1e-4)
    if refined_k5 is not None:
        np.testing.assert_allclose(find_local_peaks(cms, 0.1).points[0], refined_k5, atol=1e-4)
    if refined_k4 is not None:
        got = find_local_peaks(cms, 0.1, patch_size=4).points[0]
        np.testing.assert_allclose(got, refined_k4, atol=1e-4)


@pytest.mark.parametrize(
    "pixels",
    [
        {"p3_3": 1, "p4_3": 1, "p5_3": 1},  # 3-long: too big
        {"p3_3": 1, "p4_3": 1, "p2_4": 1},  # E + SW: does not fit one 2x2 block
        {"p3_3": 1, "p4_3": 1, "p5_4": 1},  # a plateau pixel touches an equal one outside
    ],
)
def test_large_or_leaking_plateaus_give_no_peak(pixels):
    assert len(find_local_peaks(_maps(h=9, w=9, **pixels), 0.1, refine=False)) == 0


def test_local_peak_order_is_sample_row_col_channel():
    cms = np.zeros((2, 2, 8, 8), np.float32)
    cms[1, 0, 1, 5] = 0.9
    cms[0, 1, 4, 1] = 0.8
    cms[0, 0, 4, 1] = 0.7
    cms[0, 1, 2, 6] = 0.6
    found = find_local_peaks(cms, 0.1, refine=False)
    assert found.samples.tolist() == [0, 0, 0, 1]
    assert found.channels.tolist() == [1, 0, 1, 0]
    assert found.points.tolist() == [[6, 2], [1, 4], [1, 4], [5, 1]]


def test_empty_and_degenerate_inputs():
    assert len(find_local_peaks(np.zeros((0, 3, 8, 8), np.float32), 0.1)) == 0
    assert len(find_local_peaks(np.zeros((1, 3, 8, 8), np.float32), 0.1)) == 0
    pts, vals = find_global_peaks(np.zeros((0, 3, 8, 8), np.float32), 0.1)
    assert pts.shape == (0, 3, 2) and vals.shape == (0, 3)
    assert refine_integral(np.zeros((1, 1, 4, 4)), [], [], np.zeros((0, 2))).shape == (0, 2)


def test_offset_refinement_adds_the_offset_at_the_peak_cell():
    from pose_domain.peaks import PeakSet, offset_refine_global, offset_refine_local

    offsets = np.zeros((1, 4, 5, 6), np.float32)
    offsets[0, 0, 2, 3] = 0.25  # node 0, x offset at (x=3, y=2)
    offsets[0, 1, 2, 3] = -0.5  # node 0, y offset
    offsets[0, 3, 4, 1] = 0.75  # node 1, y offset at (x=1, y=4)
    pts = np.array([[[3.0, 2.0], [1.0, 4.0]]])
    np.testing.assert_allclose(offset_refine_global(pts, offsets), [[[3.25, 1.5], [1.0, 4.75]]])
    nan = np.array([[[np.nan, np.nan], [1.0, 4.0]]])
    assert np.isnan(offset_refine_global(nan, offsets)[0, 0]).all()
    found = PeakSet([[3, 2], [1, 4]], [0.9, 0.8], [0, 0], [0, 1])
    refined = offset_refine_local(found, offsets)
    np.testing.assert_allclose(refined.points, [[3.25, 1.5], [1.0, 4.75]])
