"""Stages ``scales`` and ``split`` on hand-made poses with known numbers."""

from __future__ import annotations

import numpy as np

from pose_domain.tracking.offline.config import LinkConfig, SplitConfig, TrackletConfig
from pose_domain.tracking.offline.scales import estimate_scales, guess_identities
from pose_domain.tracking.offline.split import frame_rows, node_groups
from pose_domain.tracking.offline.values import pose_size

NAN = np.nan


def test_pose_size_is_the_rms_node_distance_from_the_centroid() -> None:
    poses = np.array([
        [[0.0, 0.0], [6.0, 8.0], [NAN, NAN]],  # centroid (3, 4), both nodes 5 px from it
        [[0.0, 0.0], [2.0, 0.0], [NAN, NAN]],  # 1 px
        [[1.0, 1.0], [NAN, NAN], [NAN, NAN]],  # one node: no size
    ])
    np.testing.assert_allclose(pose_size(poses), [5.0, 1.0, NAN])


def test_scales_follow_twice_the_median_size() -> None:
    s = estimate_scales([np.array([10.0, NAN]), np.array([20.0]), np.zeros(0)],
                        TrackletConfig(), LinkConfig())
    assert (s.body, s.gate, s.sigma) == (30.0, 0.6 * 30.0, 0.25 * 30.0)
    # no size at all: a 10 px body; tiny bodies keep gates of at least 1 and 0.5 px
    empty = estimate_scales([np.array([NAN])], TrackletConfig(), LinkConfig())
    assert (empty.body, empty.gate, empty.sigma) == (10.0, 6.0, 2.5)
    tiny = estimate_scales([np.array([0.5])], TrackletConfig(), LinkConfig())
    assert (tiny.body, tiny.gate, tiny.sigma) == (1.0, 1.0, 0.5)


def test_the_number_of_animals_is_the_most_common_count_larger_on_a_tie() -> None:
    assert guess_identities(np.array([0, 2, 2, 1, 0])) == 2
    assert guess_identities(np.array([0, 2, 2, 3, 3, 1])) == 3


def _joined_frame() -> np.ndarray:
    """Two 2-node animals (size 5, body 10) and one 4-node instance joining two more."""
    a = [[0.0, 0.0], [10.0, 0.0], [NAN, NAN], [NAN, NAN]]
    b = [[0.0, 50.0], [10.0, 50.0], [NAN, NAN], [NAN, NAN]]
    joined = [[200.0, 0.0], [205.0, 0.0], [300.0, 0.0], [305.0, 0.0]]
    return np.array([a, b, joined])


def test_node_groups_are_chained_by_short_steps_largest_first() -> None:
    pose = np.array([[0.0, 0.0], [100.0, 0.0], [4.0, 3.0], [NAN, NAN], [8.0, 6.0]])
    groups = node_groups(pose, gap=5.0)  # 0-2-4 chained by 5 px steps, 1 alone
    assert len(groups) == 2
    np.testing.assert_array_equal(np.flatnonzero(~np.isnan(groups[0][:, 0])), [0, 2, 4])
    np.testing.assert_array_equal(np.flatnonzero(~np.isnan(groups[1][:, 0])), [1])


def test_a_joined_instance_becomes_two_trackable_parts_worth_half_each() -> None:
    p = _joined_frame()
    rows = frame_rows(p, pose_size(p), body=10.0, cfg=SplitConfig())
    np.testing.assert_array_equal(rows.origin, [0, 1, 2, 2])
    np.testing.assert_array_equal(rows.part, [False, False, True, True])
    np.testing.assert_array_equal(rows.weight, [1.0, 1.0, 0.5, 0.5])
    np.testing.assert_array_equal(rows.trackable[2, :2], [[200.0, 0.0], [205.0, 0.0]])
    assert np.isnan(rows.trackable[2, 2:]).all() and np.isnan(rows.trackable[3, :2]).all()


def test_unsplit_or_unsplittable_joined_instances_stay_untracked_rows() -> None:
    p = _joined_frame()
    off = frame_rows(p, pose_size(p), body=10.0, cfg=SplitConfig(enabled=False))
    np.testing.assert_array_equal(off.origin, [0, 1, 2])  # kept for node re-assignment
    assert len(off.trackable) == 2 and not off.part.any()
    # a 4-node chain with 9 px steps (size 10.06 px, over 2 bodies of 10 px in diameter)
    # does not split at 1 body: left untracked whole
    chain = np.array([[[0.0, 0.0], [9.0, 0.0], [18.0, 0.0], [27.0, 0.0]]])
    rows = frame_rows(chain, pose_size(chain), body=10.0, cfg=SplitConfig())
    assert len(rows.trackable) == 0 and len(rows.points) == 1
    # without oversized instances the rows are the instances themselves
    plain = frame_rows(p[:2], pose_size(p[:2]), body=10.0, cfg=SplitConfig())
    assert np.array_equal(plain.points, p[:2], equal_nan=True)
    np.testing.assert_array_equal(plain.weight, [1.0, 1.0])
