"""Stages ``refine`` and ``nodes`` on hand-made poses with known numbers."""

from __future__ import annotations

import numpy as np

from pose_domain.tracking.offline.config import NodeConfig, RefineConfig
from pose_domain.tracking.offline.nodes import bridged, reassign_nodes
from pose_domain.tracking.offline.refine import refine, smoothed

NAN = np.nan


def test_smoothed_is_a_per_node_running_median() -> None:
    rows = [np.array([[[x, 0.0]]]) for x in (0.0, 10.0, 2.0)]  # 1 identity, 1 node
    ref = smoothed(rows, {(0, 0): 0, (1, 0): 0, (2, 0): 0}, k=1, window=1)
    np.testing.assert_array_equal(ref[:, 0, 0, 0], [5.0, 2.0, 6.0])
    # an identity seen nowhere near a frame has no reference there
    far = smoothed(rows, {(0, 0): 0}, k=1, window=1)
    assert np.isnan(far[2]).all() and far[1, 0, 0, 0] == 0.0


def test_refine_gives_rows_to_the_nearest_reference_and_drops_outliers() -> None:
    """Body 20: gate 20 px. The solve swapped frame 2; frame 4 has a row halfway between."""
    a = [[0.0, 0.0], [10.0, 0.0]]
    b = [[100.0, 0.0], [110.0, 0.0]]
    mid = [[50.0, 0.0], [60.0, 0.0]]
    rows = [np.array([a, b])] * 4 + [np.array([a, mid, b])]
    assign = {(f, r): r for f in range(4) for r in (0, 1)} | {(4, 0): 0, (4, 2): 1}
    assign[(2, 0)], assign[(2, 1)] = 1, 0
    part = [np.zeros(len(r), dtype=bool) for r in rows]
    got = refine(rows, part, assign, k=2, body=20.0, cfg=RefineConfig(window=2))
    # the ±2-frame medians are A and B everywhere: frame 2 is swapped back; the middle row
    # (50 px from both references) stays an outlier
    assert got == {(f, r): r for f in range(4) for r in (0, 1)} | {(4, 0): 0, (4, 2): 1}


def test_refine_drops_a_row_farther_than_the_gate_from_every_reference() -> None:
    """Body 20: gate 20 px. The median of frames 0-2 is the still pose at x = 0."""
    for step, kept in ((15.0, True), (25.0, False)):
        rows = [np.array([[[x, 0.0], [x + 10.0, 0.0]]]) for x in (0.0, 0.0, step)]
        assign = {(0, 0): 0, (1, 0): 0, (2, 0): 0}
        got = refine(rows, [np.zeros(1, dtype=bool)] * 3, assign, 1, 20.0, RefineConfig())
        assert ((2, 0) in got) is kept


def test_refine_gives_a_part_only_to_an_identity_no_whole_row_took() -> None:
    """A's whole row is 8 px off its reference, a part 1 px: the whole row still wins."""
    a, b = [[0.0, 0.0], [10.0, 0.0]], [[100.0, 0.0], [110.0, 0.0]]
    a_off, half_a = [[8.0, 0.0], [18.0, 0.0]], [[1.0, 0.0], [NAN, NAN]]
    rows = [np.array([a, b]), np.array([a, b]), np.array([a_off, b, half_a])]
    part = [np.zeros(2, dtype=bool), np.zeros(2, dtype=bool), np.array([False, False, True])]
    assign = {(f, r): r for f in range(3) for r in (0, 1)}
    got = refine(rows, part, assign, k=2, body=20.0, cfg=RefineConfig())
    assert got == assign
    # as a whole row, the closer one would have taken A
    whole = [np.zeros(3, dtype=bool) if f == 2 else p for f, p in enumerate(part)]
    assert refine(rows, whole, assign, 2, 20.0, RefineConfig())[(2, 2)] == 0


def test_bridged_interpolates_between_sightings_in_frame_index() -> None:
    ref = np.full((5, 1, 1, 2), NAN)
    ref[0, 0, 0] = [0.0, 0.0]
    ref[3, 0, 0] = [8.0, 4.0]
    got = bridged(ref, np.array([0, 1, 3, 4, 9]))
    np.testing.assert_array_equal(got[:4, 0, 0], [[0, 0], [2, 1], [6, 3], [8, 4]])
    assert np.isnan(got[4]).all()  # never past the last sighting


def _ref() -> np.ndarray:
    """Two identities' reference heads and thoraxes, 100 px apart: ``(1, 2, 2, 2)``."""
    return np.array([[[[0.0, 0.0], [10.0, 0.0]], [[100.0, 0.0], [110.0, 0.0]]]])


def test_a_joined_row_gives_the_far_node_to_the_identity_lacking_it() -> None:
    """Body 8: gate 10 px. Identity 0's row holds its head and identity 1's thorax."""
    rows = [np.array([[[1.0, 0.0], [111.0, 0.0]], [[101.0, 0.0], [NAN, NAN]]])]
    got = reassign_nodes(rows, {(0, 0): 0, (0, 1): 1}, _ref(), body=8.0, cfg=NodeConfig())
    assert set(got) == {(0, 0), (0, 1)}
    np.testing.assert_array_equal(got[(0, 0)].points, [[1.0, 0.0], [NAN, NAN]])
    np.testing.assert_array_equal(got[(0, 0)].owner, [0, -1])
    np.testing.assert_array_equal(got[(0, 1)].points, [[101.0, 0.0], [111.0, 0.0]])
    np.testing.assert_array_equal(got[(0, 1)].owner, [1, 0])


def test_unchanged_rows_are_absent_and_new_poses_need_half_the_skeleton() -> None:
    clean = [np.array([[[1.0, 0.0], [11.0, 0.0]], [[101.0, 0.0], [111.0, 0.0]]])]
    assert reassign_nodes(clean, {(0, 0): 0, (0, 1): 1}, _ref(), 8.0, NodeConfig()) == {}
    # identity 1 has no row; one node of 2 is found in an untracked row: enough at 0.5
    rows = [np.array([[[1.0, 0.0], [11.0, 0.0]], [[NAN, NAN], [112.0, 0.0]]])]
    got = reassign_nodes(rows, {(0, 0): 0}, _ref(), 8.0, NodeConfig())
    assert list(got) == [(0, 1)]
    np.testing.assert_array_equal(got[(0, 1)].owner, [-1, 1])
    assert reassign_nodes(rows, {(0, 0): 0}, _ref(), 8.0, NodeConfig(min_new_nodes=0.6)) == {}
