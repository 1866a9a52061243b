"""Stages ``tracklets`` and ``link`` on hand-made poses with known numbers."""

from __future__ import annotations

import numpy as np

from pose_domain.tracking.offline.config import LinkConfig
from pose_domain.tracking.offline.link import end_pose, link_tracklets, path_identities
from pose_domain.tracking.offline.tracklets import build_tracklets
from pose_domain.tracking.offline.values import Scales, Tracklet

NAN = np.nan


def pose(x: float, y: float = 0.0) -> list[list[float]]:
    """A 2-node animal 10 px long (head at ``(x, y)``)."""
    return [[x, y], [x + 10.0, y]]


def frames(*rows: list[list[list[float]]]) -> list[np.ndarray]:
    return [np.array(r, dtype=np.float64).reshape(-1, 2, 2) for r in rows]


def test_close_unambiguous_links_chain_two_animals() -> None:
    rows = frames([pose(0), pose(100)], [pose(102), pose(1)], [pose(2), pose(104)])
    got = build_tracklets(rows, np.arange(3), gate=5.0)
    assert [t.members for t in got] == [((0, 0), (1, 1), (2, 0)), ((0, 1), (1, 0), (2, 1))]
    np.testing.assert_array_equal(got[0].points[:, 0, 0], [0.0, 1.0, 2.0])


def test_a_gap_a_far_step_or_an_ambiguous_pair_breaks_the_tracklet() -> None:
    # frame index 2 is missing: 0-1 chain, then a new tracklet at 3
    gap = build_tracklets(frames([pose(0)], [pose(1)], [pose(2)]), np.array([0, 1, 3]), 5.0)
    assert [t.members for t in gap] == [((0, 0), (1, 0)), ((2, 0),)]
    # a 6 px step is over the 5 px gate
    far = build_tracklets(frames([pose(0)], [pose(6)]), np.arange(2), 5.0)
    assert len(far) == 2
    # two candidates 1 px and 2 px away: 2 is not more than 2 x 1 + 2 % of the gate
    amb = build_tracklets(frames([pose(0)], [pose(1), pose(-2)]), np.arange(2), 5.0)
    assert [t.members for t in amb] == [((0, 0),), ((1, 0),), ((1, 1),)]
    # ... but 3 px is
    ok = build_tracklets(frames([pose(0)], [pose(1), pose(-3)]), np.arange(2), 5.0)
    assert [t.members for t in ok] == [((0, 0), (1, 0)), ((1, 1),)]


def test_a_head_only_pose_links_to_a_thorax_only_one_through_last_known_nodes() -> None:
    head, thorax = [[0.0, 0.0], [NAN, NAN]], [[NAN, NAN], [10.0, 0.0]]
    got = build_tracklets(frames([pose(0)], [head], [thorax]), np.arange(3), 5.0)
    assert [t.members for t in got] == [((0, 0), (1, 0), (2, 0))]


def test_end_pose_takes_each_node_where_it_is_first_seen() -> None:
    p = np.array([[[NAN, NAN], [5.0, 5.0]], [[1.0, 1.0], [6.0, 6.0]], [[2.0, 2.0], [NAN, NAN]]])
    np.testing.assert_array_equal(end_pose(p), [[1.0, 1.0], [5.0, 5.0]])
    np.testing.assert_array_equal(end_pose(p[::-1]), [[2.0, 2.0], [6.0, 6.0]])


def _still(x: float, first: int, n: int) -> Tracklet:
    """A still animal at ``x`` in frames ``first .. first + n - 1`` (row 0 of each)."""
    return Tracklet(tuple((f, 0) for f in range(first, first + n)),
                    np.array([pose(x)] * n, dtype=np.float64))


def test_tracklets_link_when_the_motion_cost_is_below_the_reward() -> None:
    """Body 40 px: sigma 10 px; over a 2-frame gap a still animal that moved d px costs
    0.5 (d / (10 sqrt 2))^2 = d^2 / 400. Joining two 5-instance tracklets gains 5 rewards."""
    fidx = np.arange(11)
    weight = [np.ones(1)] * 11
    scales = Scales(body=40.0, gate=24.0, sigma=10.0)
    near = [_still(0.0, 0, 5), _still(40.0, 6, 5)]  # cost 4 < 5: one identity for both
    assert link_tracklets(near, fidx, weight, 1, scales, LinkConfig()) == [[0, 1]]
    far = [_still(0.0, 0, 5), _still(50.0, 6, 5)]  # cost 6.25 > 5: one tracklet only
    assert len(link_tracklets(far, fidx, weight, 1, scales, LinkConfig())[0]) == 1
    # with two identities each far tracklet is one
    assert sorted(link_tracklets(far, fidx, weight, 2, scales, LinkConfig())) == [[0], [1]]
    # beyond max_gap only long tracklets (>= 5 instances) are successors
    assert link_tracklets(near, fidx, weight, 1, scales, LinkConfig(max_gap=1)) == [[0, 1]]
    short = [_still(0.0, 0, 5), _still(40.0, 6, 4)]
    assert link_tracklets(short, fidx, weight, 1, scales, LinkConfig(max_gap=1)) == [[0]]


def test_a_moving_animal_is_extrapolated_at_constant_velocity() -> None:
    # 10 px/frame; 100 px later after a 5-frame gap is exactly on the extrapolation (cost 0)
    a = Tracklet(((0, 0), (1, 0), (2, 0)), np.array([pose(0), pose(10), pose(20)], dtype=float))
    b = Tracklet(((7, 0), (8, 0)), np.array([pose(70), pose(80)], dtype=float))
    c = Tracklet(((7, 1), (8, 1)), np.array([pose(20), pose(20)], dtype=float))  # stopped
    fidx = np.arange(9)
    weight = [np.ones(2)] * 9
    scales = Scales(body=40.0, gate=24.0, sigma=10.0)
    paths = link_tracklets([a, b, c], fidx, weight, 1, scales, LinkConfig())
    assert paths == [[0, 1]]


def test_identities_are_numbered_by_the_first_frame_of_their_path() -> None:
    tl = [_still(0.0, 3, 2), _still(50.0, 0, 2), _still(0.0, 6, 1)]
    got = path_identities(tl, [[0, 2], [1]])  # the second path starts first: identity 0
    assert got == {(0, 0): 0, (1, 0): 0, (3, 0): 1, (4, 0): 1, (6, 0): 1}
