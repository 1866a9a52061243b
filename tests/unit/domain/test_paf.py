"""Bottom-up PAF grouping (sleap-nn 0.3.5 parity, parity notes §3.7 and 9.2)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from pose_domain.paf import (
    PafParams,
    distance_penalty,
    group_instances,
    line_fractions,
    line_subs,
    max_edge_length,
    score_candidates,
    toposort_edges,
)
from pose_domain.peaks import PeakSet


def _peaks(points, channels, values=None) -> PeakSet:
    points = np.asarray(points, dtype=np.float64)
    values = np.ones(len(points)) if values is None else values
    return PeakSet(points, values, np.zeros(len(points)), channels)


def test_toposort_orders_match_reference():
    e1 = [(1, 3), (1, 4), (2, 5), (2, 6), (3, 7), (4, 8), (5, 9), (6, 10), (7, 11), (8, 12)]
    e1 += [(9, 13), (10, 14), (0, 1), (0, 2)]
    assert toposort_edges(e1) == (12, 13, *range(12))
    e2 = [(3, 6), (3, 7), (0, 1), (0, 2), (0, 3), (2, 5), (4, 8), (5, 9), (6, 10), (1, 4)]
    assert toposort_edges(e2) == (2, 3, 4, 9, 5, 0, 1, 6, 7, 8)
    # BFS skips edges into visited nodes and edges not reachable from the root.
    assert toposort_edges([(0, 1), (0, 2), (1, 3), (2, 3)]) == (0, 1, 2)
    assert toposort_edges([(0, 1), (2, 3)]) == (0,)
    assert toposort_edges([]) == ()
    with pytest.raises(ValueError, match="cycle"):
        toposort_edges([(0, 1), (1, 0)])


def test_line_subs_match_reference():
    subs = line_subs(np.array([[0.0, 0.0]]), np.array([[2.0, 4.0]]), 3, 1, (10, 10))
    assert subs.tolist() == [[[0, 0], [2, 1], [4, 2]]]  # (row, col); channels 2k, 2k+1
    # Half-to-even rounding and clipping into the map.
    subs = line_subs(np.array([[5.0, -3.0]]), np.array([[5.0, 40.0]]), 2, 2, (8, 8))
    assert subs.tolist() == [[[0, 2], [7, 2]]]


def test_line_fractions_are_torch_linspace():
    t = line_fractions(10)
    assert t.dtype == np.float32 and t[0] == 0 and t[-1] == 1
    np.testing.assert_allclose(t, np.linspace(0, 1, 10), atol=1e-7)


def test_distance_penalty():
    pen = distance_penalty(np.array([1.0, 2.0, 3.0, 4.0]), 2.0)
    np.testing.assert_allclose(pen, [0, 0, -1 / 3, -1 / 2], atol=1e-6)
    np.testing.assert_allclose(distance_penalty(np.array([3.0, 4.0]), 2.0, 2.0), [-2 / 3, -1])


def test_max_edge_length_counts_channels():
    assert max_edge_length((10, 12, 30), 4, 0.25) == 0.25 * 30 * 4


def test_score_is_mean_projection_plus_penalty():
    pafs = np.zeros((16, 16, 2), np.float32)
    pafs[..., 0] = 1.0  # unit x field
    src = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 3.0]])
    dst = np.array([[4.0, 0.0], [0.0, 4.0], [3.0, 3.0]])
    scores = score_candidates(src, dst, np.zeros(3, int), pafs, 1, PafParams())
    assert scores[0] == pytest.approx(1.0) and scores[1] == pytest.approx(0.0)
    assert np.isnan(scores[2])  # coincident peaks
    far = score_candidates(src[:1], np.array([[12.0, 0.0]]), [0], pafs, 1, PafParams())
    assert far[0] == pytest.approx(1.0 + (4 / 12 - 1))


def _two_animals():
    pafs = np.zeros((16, 16, 4), np.float32)
    pafs[..., 0::2] = 1.0  # every edge's field points along +x
    pts = [(0, 0), (4, 0), (8, 0), (0, 10), (4, 10)]
    chans = [0, 1, 2, 0, 1]
    vals = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    order = np.lexsort((chans, np.array(pts)[:, 0], np.array(pts)[:, 1]))
    peaks = _peaks(np.array(pts)[order], np.array(chans)[order], vals[order])
    return peaks, pafs


def test_group_instances_scores_sum_kept_line_scores():
    peaks, pafs = _two_animals()
    points, pscores, iscores = group_instances(peaks, pafs, [(0, 1), (1, 2)], 3, 1, PafParams())
    np.testing.assert_allclose(iscores, [2.0, 1.0])
    np.testing.assert_array_equal(points[0], [[0, 0], [4, 0], [8, 0]])
    np.testing.assert_array_equal(points[1, :2], [[0, 10], [4, 10]])
    assert np.isnan(points[1, 2]).all() and np.isnan(pscores[1, 2])
    np.testing.assert_allclose(pscores[0], [0.9, 0.8, 0.7])


def test_min_instance_peaks_float_is_fraction_of_nodes():
    peaks, pafs = _two_animals()
    edges = [(0, 1), (1, 2)]
    # 0.9 · 3 nodes → int(2.7) = 2 peaks: both survive; 1.0 → 3: only the full one.
    _, _, sc = group_instances(peaks, pafs, edges, 3, 1, PafParams(min_instance_peaks=0.9))
    assert len(sc) == 2
    _, _, sc = group_instances(peaks, pafs, edges, 3, 1, PafParams(min_instance_peaks=1.0))
    np.testing.assert_allclose(sc, [2.0])
    # An int is absolute; from the CLI 2 arrives as 2.0 → int(2.0 · 3) = 6 (reference bug).
    _, _, sc = group_instances(peaks, pafs, edges, 3, 1, PafParams(min_instance_peaks=3))
    assert len(sc) == 1
    _, _, sc = group_instances(peaks, pafs, edges, 3, 1, PafParams(min_instance_peaks=2.0))
    assert len(sc) == 0


def test_low_line_scores_are_dropped_inclusively():
    peaks, pafs = _two_animals()
    pafs[..., 0::2] = 0.25
    _, _, sc = group_instances(peaks, pafs, [(0, 1), (1, 2)], 3, 1, PafParams())
    np.testing.assert_allclose(sc, [0.5, 0.25])
    _, _, sc = group_instances(peaks, pafs, [(0, 1)], 3, 1, PafParams(min_line_scores=0.26))
    assert len(sc) == 0


def test_edges_unreachable_from_the_root_are_unused():
    # Root 0 reaches edge (0, 1) only; (2, 1) starts at another root and is dropped, so
    # node 2's peak never joins an instance even though its field is perfect.
    pafs = np.zeros((16, 16, 4), np.float32)
    pafs[..., 0] = 1.0
    pafs[..., 2] = -1.0
    peaks = _peaks([(0, 0), (4, 0), (8, 0)], [0, 1, 2])
    points, _, sc = group_instances(peaks, pafs, [(0, 1), (2, 1)], 3, 1, PafParams())
    np.testing.assert_allclose(sc, [1.0])
    assert np.isnan(points[0, 2]).all()


def test_no_peaks_no_edges_and_infeasible_costs_do_not_crash():
    pafs = np.zeros((8, 8, 2), np.float32)
    empty = group_instances(PeakSet.empty(), pafs, [(0, 1)], 2, 1, PafParams())
    assert empty[0].shape == (0, 2, 2) and empty[2].shape == (0,)
    peaks = _peaks([(1, 1), (1, 1)], [0, 1])
    assert group_instances(peaks, pafs, [], 2, 1, PafParams())[0].shape == (0, 2, 2)
    # Coincident src/dst: every cost is NaN → the reference crashes; we return nothing.
    assert len(group_instances(peaks, pafs, [(0, 1)], 2, 1, PafParams())[2]) == 0


def test_grouping_is_fast_for_two_animals_13_nodes():
    rng = np.random.default_rng(0)
    n_nodes = 13
    edges = [(i, i + 1) for i in range(n_nodes - 1)]
    pafs = rng.normal(size=(48, 48, 2 * len(edges))).astype(np.float32)
    pts = rng.uniform(0, 190, size=(2 * n_nodes, 2))
    peaks = _peaks(pts, np.tile(np.arange(n_nodes), 2), rng.uniform(0.2, 1, 2 * n_nodes))
    params = PafParams(min_line_scores=-10.0)
    group_instances(peaks, pafs, edges, n_nodes, 4, params)
    t0 = time.perf_counter()
    for _ in range(50):
        points, _, _ = group_instances(peaks, pafs, edges, n_nodes, 4, params)
    per_frame = (time.perf_counter() - t0) / 50
    assert points.shape[1:] == (n_nodes, 2)
    assert per_frame < 5e-3  # ~0.3 ms on a laptop; generous for slow CI
