"""connect_single_breaks, culling and the min-cost disjoint paths."""

from __future__ import annotations

import numpy as np

from pose_domain.instance import LabeledFrame, PredictedInstance, Track
from pose_domain.tracking.paths import disjoint_paths
from pose_domain.tracking.postprocess import connect_single_breaks, cull_instances, nms_fast


def p(x: float, track: Track | None, score: float = 1.0) -> PredictedInstance:
    pts = np.array([[x, 0.0], [x + 10, 10.0]])
    return PredictedInstance.from_arrays(pts, [1, 1], score, track=track)


def test_connect_single_breaks_renames_a_new_track_to_the_missing_one() -> None:
    a, b, c = Track("a"), Track("b"), Track("c")
    frames = [
        LabeledFrame(0, 0, [p(0, a), p(100, b)]),
        LabeledFrame(0, 1, [p(0, a), p(100, c)]),  # b broke, c appeared
        LabeledFrame(0, 2, [p(0, a), p(100, c)]),
    ]
    out = connect_single_breaks(frames)
    assert [[i.track.name for i in f.instances] for f in out] == [["a", "b"]] * 3
    assert frames[1].instances[1].track is c  # inputs untouched


def test_connect_single_breaks_leaves_two_changes_alone() -> None:
    a, b, c, d = (Track(n) for n in "abcd")
    frames = [LabeledFrame(0, 0, [p(0, a), p(100, b)]), LabeledFrame(0, 1, [p(0, c), p(100, d)])]
    out = connect_single_breaks(frames)
    assert [i.track.name for i in out[1].instances] == ["c", "d"]


def test_cull_keeps_the_best_scores() -> None:
    t = Track("t")
    frame = LabeledFrame(0, 0, [p(0, t, 0.5), p(100, t, 0.9), p(200, t, 0.1)])
    out = cull_instances([frame], 2)
    assert sorted(i.score for i in out[0].predicted_instances) == [0.5, 0.9]


def test_nms_fast_suppresses_contained_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 9, 9], [50, 50, 60, 60]], dtype=float)
    kept = nms_fast(boxes, np.array([0.9, 0.8, 0.7]), 0.5, 2)
    assert sorted(kept) == [0, 2]


def test_disjoint_paths_prefers_the_cheaper_pairing_globally() -> None:
    # 0,1 end early; 2,3 start later. Greedy on 0 would take 0->2 (0.1), forcing 1->3 (2.0);
    # the optimum is 0->3 + 1->2 (0.55).
    paths = disjoint_paths([-1, -1, -1, -1], [(0, 2, 0.1), (1, 3, 2.0), (0, 3, 0.5),
                                              (1, 2, 0.05)], 2)
    assert sorted(map(tuple, paths)) == [(0, 3), (1, 2)]


def test_disjoint_paths_skips_unrewarding_nodes_and_honours_k() -> None:
    assert disjoint_paths([-1, 5, -1], [(0, 1, 0), (1, 2, 0), (0, 2, 0.5)], 1) == [[0, 2]]
    assert len(disjoint_paths([-1, -1, -1], [], 2)) == 2
    assert disjoint_paths([], [], 2) == []


def test_nms_fast_adds_suppressed_boxes_back_up_to_the_target() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 9, 9], [2, 2, 8, 8]], dtype=float)
    kept = nms_fast(boxes, np.array([0.9, 0.8, 0.7]), 0.5, 2)
    assert kept == [0, 1]  # 1 and 2 suppressed; the better one comes back (sleap-nn 0.3.5)


def test_pre_cull_keeps_user_instances_and_input_order() -> None:
    from pose_domain.instance import Instance
    from pose_domain.tracking.postprocess import cull_frame_instances

    user = Instance.from_numpy(np.array([[5.0, 5.0], [6.0, 6.0]]))
    insts = [p(0, None, 0.5), user, p(100, None, 0.9), p(200, None, 0.1)]
    out = cull_frame_instances(insts, 2)
    assert out == [insts[0], user, insts[2]]


def test_pre_cull_with_overlap_drops_the_duplicate_first() -> None:
    from pose_domain.tracking.postprocess import cull_frame_instances

    insts = [p(0, None, 0.9), p(0.5, None, 0.8), p(100, None, 0.1)]
    out = cull_frame_instances(insts, 2, iou_threshold=0.5)
    assert [i.score for i in out] == [0.9, 0.1]
