from __future__ import annotations

import numpy as np
import pytest

from pose_domain.errors import FrameSelectionError, SkeletonMismatchError
from pose_domain.frames import parse_frames, resolve_frames
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.matching import greedy, hungarian, linked_groups
from pose_domain.peaks import PeakSet
from pose_domain.skeleton import Skeleton


def test_skeleton_from_names_and_flip():
    sk = Skeleton.from_names(["head", "l", "r"], [("head", "l"), ("head", "r")], [("l", "r")])
    assert sk.edges == ((0, 1), (0, 2))
    assert sk.flip_indices() == [0, 2, 1]
    assert sk.index("r") == 2
    with pytest.raises(SkeletonMismatchError):
        sk.index("tail")
    with pytest.raises(SkeletonMismatchError):
        Skeleton(nodes=["a", "a"])
    with pytest.raises(SkeletonMismatchError):
        Skeleton(nodes=["a"], edges=[(0, 1)])


def test_instance_points_are_read_only_and_nan_missing():
    inst = Instance.from_numpy([[1.0, 2.0], [np.nan, np.nan]])
    assert inst.n_visible == 1
    assert not inst.points.flags.writeable
    other = Instance.from_numpy([[1.0, 2.0], [np.nan, np.nan]])
    assert inst is not other and inst != other  # entities
    assert inst.same_pose_as(other)
    np.testing.assert_array_equal(inst.bbox(), [1, 2, 1, 2])
    with pytest.raises(SkeletonMismatchError):
        Instance.from_numpy([1.0, 2.0])


def test_predicted_instance_scores_and_track():
    t = Track("a")
    p = PredictedInstance.from_arrays([[0, 0], [1, 1]], [0.5, 0.7], 1.2)
    q = p.with_track(t, 0.9)
    assert q.track is t and q.tracking_score == 0.9 and p.track is None
    with pytest.raises(SkeletonMismatchError):
        PredictedInstance.from_arrays([[0, 0]], [0.5, 0.7], 1.0)
    lf = LabeledFrame(0, 3, [p, Instance.from_numpy([[0, 0], [1, 1]])])
    assert len(lf.user_instances) == 1 and len(lf.predicted_instances) == 1


def test_peakset_select():
    ps = PeakSet([[0, 0], [1, 1]], [0.5, 0.9], [0, 1], [0, 0])
    assert len(ps.for_sample(1)) == 1
    assert len(PeakSet.empty()) == 0


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("", None), ("3", [3]), ("1-3", [1, 2, 3]), ("1,3-5", [1, 3, 4, 5]),
     ("0-2,10-11", [0, 1, 2, 10, 11]), ("1,-4", [1, 2, 3, 4]), ("3,10-12", [3, 10, 11, 12])],
)
def test_parse_frames(spec, expected):
    assert parse_frames(spec) == expected


@pytest.mark.parametrize("spec", ["a", "1-x", "5-2", "-3", "1--2", "1.5"])
def test_parse_frames_rejects(spec):
    with pytest.raises(FrameSelectionError):
        parse_frames(spec)


def test_resolve_frames_clips_and_rejects_empty():
    inside, outside = resolve_frames("8-12", 10)
    assert inside == [8, 9] and outside == [10, 11, 12]
    assert resolve_frames("7-", 10)[0] == [7, 8, 9]
    with pytest.raises(FrameSelectionError):
        resolve_frames("20-30", 10)


def test_hungarian_and_greedy():
    cost = np.array([[1.0, 2.0], [0.5, 10.0]])
    r, c = hungarian(cost)
    assert list(zip(r, c)) == [(0, 1), (1, 0)]
    r, c = greedy(cost)
    assert list(zip(r, c)) == [(1, 0), (0, 1)]


def test_linked_groups_chain_points_by_single_linkage() -> None:
    # 0-1-2 chained by 9 px steps (0 and 2 are 18 px apart), 3 alone 40 px away
    pts = np.array([[0.0, 0.0], [9.0, 0.0], [18.0, 0.0], [58.0, 0.0]])
    labels = linked_groups(pts, 10.0)
    assert labels[0] == labels[1] == labels[2] != labels[3]
    assert len(set(linked_groups(pts, 8.0).tolist())) == 4
