"""Stage ``flips`` and the composed :func:`solve` on hand-made poses with known numbers."""

from __future__ import annotations

import numpy as np

from pose_domain.tracking.offline import GlobalConfig, solve
from pose_domain.tracking.offline.config import FlipConfig
from pose_domain.tracking.offline.flips import (
    confused_pairs,
    fix_flips,
    flip_states,
    leading_node,
    velocity,
)
from pose_domain.tracking.offline.values import IdentityTrack

NAN = np.nan


def _still_pair(n: int, swapped: set[int]) -> np.ndarray:
    """``(n, 2, 2)``: a head at (0, 0) and a thorax at (40, 0), labels swapped in ``swapped``."""
    q = np.array([[[0.0, 0.0], [40.0, 0.0]]] * n)
    for i in swapped:
        q[i] = q[i, ::-1]
    return q


def test_flip_states_swap_back_exactly_the_swapped_frames() -> None:
    """Body 40: keeping a swap costs 2 bodies of node jumps at each end, undoing it 0.03."""
    q = _still_pair(10, {4, 5})
    got = flip_states(q, np.arange(10), np.full((10, 2), NAN), 0.0, 40.0, FlipConfig(), 10)
    np.testing.assert_array_equal(np.flatnonzero(got), [4, 5])
    # a swap cost above the jumps it saves (2 x 2 bodies) leaves the labels as detected
    dear = flip_states(q, np.arange(10), np.full((10, 2), NAN), 0.0, 40.0,
                       FlipConfig(cost=2.5), 10)
    assert not dear.any()


def test_confused_pairs_are_the_far_pairs_that_reverse_between_frames() -> None:
    q = _still_pair(40, {10, 11, 25})  # 3 swap episodes = 5 reversals in 39 steps
    tracks = [IdentityTrack(np.arange(40), q)]
    assert confused_pairs(tracks, body=40.0, min_rate=0.005) == [(0, 1)]
    assert confused_pairs(tracks, body=40.0, min_rate=0.2) == []  # 5 / 39 = 0.13
    clean = [IdentityTrack(np.arange(40), _still_pair(40, set()))]
    assert confused_pairs(clean, body=40.0, min_rate=0.005) == []
    # with a 160 px body the pair is a quarter body apart (under half): never confused
    assert confused_pairs(tracks, body=160.0, min_rate=0.005) == []


def test_velocity_is_a_central_difference_over_two_observations_each_side() -> None:
    p = np.array([[[2.0 * t, 0.0], [2.0 * t + 10.0, 0.0]] for t in range(6)])
    v = velocity(p, np.arange(6))
    assert np.isnan(v[[0, 1, 4, 5]]).all()
    np.testing.assert_array_equal(v[2:4], [[2.0, 0.0], [2.0, 0.0]])
    # observations more than 8 frames apart give no velocity
    assert np.isnan(velocity(p, np.array([0, 1, 2, 3, 20, 21]))[2:4]).all()


def test_the_leading_node_points_along_the_motion() -> None:
    # head (node 0) 10 px ahead of the thorax, moving +x at 2 px/frame for 30 frames
    p = np.array([[[2.0 * t + 10.0, 0.0], [2.0 * t, 0.0]] for t in range(30)])
    assert leading_node([IdentityTrack(np.arange(30), p)], 0, 1, v_full=1.0) == 1.0
    assert leading_node([IdentityTrack(np.arange(30), p)], 1, 0, v_full=1.0) == -1.0
    # no frame moves at 3 px/frame: fewer than 20 frames count, no leader
    assert leading_node([IdentityTrack(np.arange(30), p)], 0, 1, v_full=3.0) == 0.0


def test_fix_flips_swaps_poses_back_with_their_source_nodes() -> None:
    q = _still_pair(10, {4, 5})
    rows = [qi[None] for qi in q]
    assign = {(f, 0): 0 for f in range(10)}
    # 2 reversals are too few to find the pair in the data (3 needed); given, it is fixed
    assert fix_flips(rows, assign, {}, 1, 40.0, np.arange(10), FlipConfig(), 10) == {}
    got = fix_flips(rows, assign, {}, 1, 40.0, np.arange(10), FlipConfig(pairs=((0, 1),)), 10)
    assert sorted(got) == [(4, 0), (5, 0)]
    np.testing.assert_array_equal(got[(4, 0)].points, [[0.0, 0.0], [40.0, 0.0]])
    np.testing.assert_array_equal(got[(4, 0)].source_node, [1, 0])
    np.testing.assert_array_equal(got[(4, 0)].owner, [0, 0])
    q = _still_pair(40, {10, 11, 25})
    rows = [qi[None] for qi in q]
    found = fix_flips(rows, {(f, 0): 0 for f in range(40)}, {}, 1, 40.0, np.arange(40),
                      FlipConfig(), 10)
    assert sorted(found) == [(10, 0), (11, 0), (25, 0)]


def test_solve_tracks_two_still_animals_as_they_are() -> None:
    a = [[0.0, 0.0], [10.0, 0.0]]
    b = [[100.0, 0.0], [110.0, 0.0]]
    points = [np.array([a, b]), np.array([b, a]), np.array([a]), np.zeros((0, 0, 2))]
    sol = solve(points, np.array([0, 1, 2, 3]), GlobalConfig())
    assert sol.n_identities == 2 and sol.poses == {}
    assert sol.whole == {(0, 0): 0, (0, 1): 1, (1, 1): 0, (1, 0): 1, (2, 0): 0}
    assert solve([np.zeros((0, 0, 2))], np.array([0]), GlobalConfig()).n_identities == 0
