"""Identity metrics on small constructed cases, with values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pose_domain.distance import mean_node_distance
from pose_domain.errors import InvalidOptionError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.metrics.identity import identity_metrics

A_X, B_X = 0.0, 100.0


def pose(x: float) -> np.ndarray:
    return np.array([[x, 0.0], [x + 5.0, 5.0]])


def gt_frames(tracks: dict[Track, list[float | None]]) -> list[LabeledFrame]:
    n = len(next(iter(tracks.values())))
    frames = []
    for f in range(n):
        insts: list[Instance] = [
            Instance(points=pose(xs[f]), track=t) for t, xs in tracks.items() if xs[f] is not None
        ]
        frames.append(LabeledFrame(0, f, insts))
    return frames


def pred_frames(tracks: dict[Track, list[float | None]]) -> list[LabeledFrame]:
    n = len(next(iter(tracks.values())))
    frames = []
    for f in range(n):
        insts: list[Instance] = [
            PredictedInstance.from_arrays(pose(xs[f]), [1.0, 1.0], 1.0, track=t)
            for t, xs in tracks.items()
            if xs[f] is not None
        ]
        frames.append(LabeledFrame(0, f, insts))
    return frames


def test_swap_in_the_middle() -> None:
    a, b, p, q = Track("A"), Track("B"), Track("P"), Track("Q")
    gt = gt_frames({a: [A_X] * 4, b: [B_X] * 4})
    pr = pred_frames({p: [A_X, A_X, B_X, B_X], q: [B_X, B_X, A_X, A_X]})
    m = identity_metrics(gt, pr)
    assert m["id_switches"] == 2 and m["id_switches_clearmot"] == 2
    assert m["misses"] == 0 and m["false_positives"] == 0
    assert m["mota"] == pytest.approx(1 - 2 / 8)
    assert m["idtp"] == 4
    assert m["idf1"] == pytest.approx(0.5)
    assert m["idp"] == pytest.approx(0.5) and m["idr"] == pytest.approx(0.5)
    assert m["fragmentations"] == 0
    assert m["mostly_tracked"] == 2 and m["mostly_lost"] == 0


def test_fragment_with_new_track() -> None:
    a, p, r = Track("A"), Track("P"), Track("R")
    gt = gt_frames({a: [A_X] * 5})
    pr = pred_frames({p: [A_X, A_X, None, None, None], r: [None, None, None, A_X, A_X]})
    m = identity_metrics(gt, pr)
    assert m["id_switches"] == 1
    assert m["misses"] == 1 and m["false_positives"] == 0
    assert m["mota"] == pytest.approx(1 - 2 / 5)
    assert m["fragmentations"] == 1
    assert m["idtp"] == 2
    assert m["idf1"] == pytest.approx(4 / 9)
    assert m["idp"] == pytest.approx(0.5) and m["idr"] == pytest.approx(0.4)
    assert m["mostly_tracked"] == 1  # 4 of 5 frames = 80 %
    assert m["num_gt_tracks"] == 1 and m["num_pred_tracks"] == 2


def test_missed_frame_counts_miss_and_false_positive_without_switch() -> None:
    a, p = Track("A"), Track("P")
    gt = gt_frames({a: [A_X] * 4})
    pr = pred_frames({p: [A_X, A_X, 300.0, A_X]})
    m = identity_metrics(gt, pr)
    assert m["id_switches"] == 0
    assert m["misses"] == 1 and m["false_positives"] == 1
    assert m["mota"] == pytest.approx(0.5)
    assert m["fragmentations"] == 1
    assert m["idf1"] == pytest.approx(6 / 8)


def test_lost_track_and_unlabeled_frames_are_ignored() -> None:
    a, b, p = Track("A"), Track("B"), Track("P")
    gt = gt_frames({a: [A_X] * 5, b: [B_X] * 5})
    pr = pred_frames({p: [A_X] * 6})  # frame 5 has no GT: ignored
    m = identity_metrics(gt, pr)
    assert m["num_frames"] == 5 and m["num_pred"] == 5
    assert m["mostly_tracked"] == 1 and m["mostly_lost"] == 1
    assert m["misses"] == 5 and m["false_positives"] == 0
    assert m["idf1"] == pytest.approx(2 * 5 / 15)


def test_oks_matching_and_threshold() -> None:
    a, p = Track("A"), Track("P")
    gt = gt_frames({a: [A_X] * 3})
    pr = pred_frames({p: [A_X + 1.0] * 3})
    assert identity_metrics(gt, pr, match_by="oks", threshold=0.99)["num_matches"] == 0
    assert identity_metrics(gt, pr, match_by="oks", threshold=1e-4)  # exp(-8)["num_matches"] == 3
    assert identity_metrics(gt, pr, threshold=0.5)["num_matches"] == 0
    with pytest.raises(InvalidOptionError):
        identity_metrics(gt, pr, match_by="iou")  # type: ignore[arg-type]


def test_empty_inputs_give_nan_ratios() -> None:
    m = identity_metrics([], [])
    assert m["num_gt"] == 0 and math.isnan(m["idf1"]) and math.isnan(m["mota"])


def test_mean_node_distance_uses_common_nodes() -> None:
    g = np.array([[[0.0, 0.0], [np.nan, np.nan]]])
    p = np.array([[[3.0, 4.0], [1.0, 1.0]], [[np.nan, np.nan], [1.0, 1.0]]])
    d = mean_node_distance(g[:, None], p[None])
    assert d[0, 0] == pytest.approx(5.0) and np.isinf(d[0, 1])


def test_headline_switches_follow_the_per_frame_matching_clearmot_keeps_matches() -> None:
    # frame 1: P drifts 20 px away (still valid) while Q sits 1 px from A's truth.
    a, p, q = Track("A"), Track("P"), Track("Q")
    gt = gt_frames({a: [A_X] * 3})
    pr = pred_frames({p: [A_X, A_X + 20.0, A_X], q: [None, A_X + 1.0, None]})
    m = identity_metrics(gt, pr)
    # per-frame minimum-cost matching: A-P, A-Q, A-P -> 2 switches
    assert m["id_switches"] == 2
    # matched pairs: (A, P) twice, (A, Q) once; best track pairing A-P -> IDTP 2 of 3 GT, 4 pred
    assert m["idtp"] == 2 and m["idfn"] == 1 and m["idfp"] == 2
    assert m["idf1"] == pytest.approx(4 / 7)
    assert m["idp"] == pytest.approx(0.5) and m["idr"] == pytest.approx(2 / 3)
    # CLEAR-MOT: A keeps P while it is within 50 px -> no switch, Q is a false positive
    assert m["id_switches_clearmot"] == 0
    assert m["false_positives"] == 1 and m["misses"] == 0
    assert m["mota"] == pytest.approx(1 - 1 / 3)
    # every valid pair counts: (A, P) valid in all 3 frames -> IDTP 3
    assert m["idf1_all_pairs"] == pytest.approx(6 / 7)


def test_gap_does_not_reset_the_previous_match() -> None:
    # A is matched to P, unmatched for a frame, then matched to Q: one switch (both rules).
    a, p, q = Track("A"), Track("P"), Track("Q")
    gt = gt_frames({a: [A_X] * 3})
    pr = pred_frames({p: [A_X, None, None], q: [None, None, A_X]})
    m = identity_metrics(gt, pr)
    assert m["id_switches"] == 1 and m["id_switches_clearmot"] == 1
    assert m["misses"] == 1 and m["fragmentations"] == 1


def test_pairs_without_a_common_node_are_never_matched() -> None:
    a, p = Track("A"), Track("P")
    g = [LabeledFrame(0, 0, [Instance(points=np.array([[0.0, 0.0], [np.nan, np.nan]]), track=a)])]
    pr = [LabeledFrame(0, 0, [PredictedInstance.from_arrays(
        np.array([[np.nan, np.nan], [1.0, 1.0]]), [1.0, 1.0], 1.0, track=p)])]
    m = identity_metrics(g, pr)
    assert m["idtp"] == 0 and m["num_matches"] == 0 and m["misses"] == 1
