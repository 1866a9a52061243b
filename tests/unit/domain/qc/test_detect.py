"""The identity QC detector on synthetic tracks with known answers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.metrics.identity import identity_metrics, identity_switches
from pose_domain.qc import QcConfig, QcEvent, detect_identity_events, switch_recall
from pose_domain.qc.recall import cluster_frames

A, B = Track("a"), Track("b")


def _pose(cx: float, cy: float, length: float = 20.0) -> np.ndarray:
    """Head and tail of a horizontal animal centred at (cx, cy): body length ``length``."""
    return np.array([[cx + length / 2, cy], [cx - length / 2, cy]])


def _two_animals(n: int = 100, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two animals walking towards each other on parallel lines 30 px apart, with jitter."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(n):
        pa = _pose(100 + 2 * t, 100) + rng.normal(0, 0.5, (2, 2))
        pb = _pose(400 - 2 * t, 130) + rng.normal(0, 0.5, (2, 2))
        out.append((pa, pb))
    return out


def _frames(poses, tracks_at) -> list[LabeledFrame]:  # type: ignore[no-untyped-def]
    frames = []
    for t, (pa, pb) in enumerate(poses):
        ta, tb = tracks_at(t)
        insts = [PredictedInstance.from_arrays(p, np.ones(2), 0.9, track=k)
                 for p, k in ((pa, ta), (pb, tb)) if k is not None]
        frames.append(LabeledFrame(0, t, insts))
    return frames


def test_clean_tracks_give_no_strong_event_and_the_scales() -> None:
    rep = detect_identity_events(_frames(_two_animals(), lambda t: (A, B)))
    assert rep.expected_count == 2
    assert rep.body_length == pytest.approx(20.0, abs=1.0)
    assert rep.motion_noise < 2.0  # jitter of 0.5 px per coordinate, velocity followed
    assert [t.name for t in rep.tracks] == ["a", "b"]
    assert not [e for e in rep.events if e.kind in ("swap", "break") and e.score > 0]


def test_a_swap_where_the_animals_cross_is_the_top_event() -> None:
    # the animals meet at t = 75 (x = 250); the tracker swaps them from frame 75 on
    rep = detect_identity_events(_frames(_two_animals(), lambda t: (A, B) if t < 75 else (B, A)))
    top = rep.events[0]
    assert (top.kind, top.frame_idx, set(top.tracks)) == ("swap", 75, {"a", "b"})
    assert top.score > 0.9 and top.likely
    assert "crossing the two assignments fits better" in top.why
    assert not [e for e in rep.events[1:] if e.likely]  # one error, one likely event


def test_a_break_links_the_track_that_ends_to_the_one_that_starts() -> None:
    c = Track("c")
    frames = _frames(_two_animals(), lambda t: (A if t < 40 else (None if t < 43 else c), B))
    rep = detect_identity_events(frames)
    breaks = [e for e in rep.events if e.kind == "break"]
    assert breaks and breaks[0].frame_idx == 43 and breaks[0].tracks == ("a", "c")
    assert breaks[0] is next(e for e in rep.events if e.kind in ("swap", "break"))
    assert "ends at frame 39" in breaks[0].why
    counts = [e for e in rep.events if e.kind == "count"]
    assert [(e.frame_idx, e.why) for e in counts] == [
        (40, "1 instance(s) instead of 2 for 3 frame(s)")]


def test_a_track_that_jumps_to_the_other_animal_is_a_swap_not_a_jump() -> None:
    poses = _two_animals()
    # at frame 70 the detector misses animal b and track a takes b's pose for one frame
    frames = _frames(poses, lambda t: (A, B))
    frames[70] = LabeledFrame(0, 70, [PredictedInstance.from_arrays(poses[70][1], np.ones(2),
                                                                    0.5, track=A)])
    rep = detect_identity_events(frames)
    top = next(e for e in rep.events if e.frame_idx in (70, 71))
    assert top.kind == "swap" and set(top.tracks) == {"a", "b"} and top.likely
    assert not [e for e in rep.events if e.kind == "jump"]


def test_events_are_merged_within_the_radius_and_capped() -> None:
    frames = _frames(_two_animals(), lambda t: (A, B) if (t // 2) % 2 == 0 or t < 60 else (B, A))
    rep = detect_identity_events(frames, QcConfig(nms_radius=3, max_events=5))
    assert len(rep.events) <= 5
    swaps = sorted(e.frame_idx for e in rep.events if e.kind == "swap")
    assert all(b - a > 3 for a, b in itertools.pairwise(swaps))
    scores = [e.score for e in rep.events]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= x <= 1.0 for x in scores)


def test_untracked_instances_count_but_are_not_followed() -> None:
    frames = [LabeledFrame(0, t, [PredictedInstance.from_arrays(_pose(t, 0), np.ones(2), 1.0)])
              for t in range(5)]
    rep = detect_identity_events(frames)
    assert rep.tracks == () and rep.expected_count == 1 and rep.events == ()


def test_user_instances_win_over_predictions_of_the_same_track() -> None:
    frames = _frames(_two_animals(20), lambda t: (A, B))
    frames[5].instances.append(Instance(points=_pose(999, 999), track=A))
    rep = detect_identity_events(frames)
    assert any(e.frame_idx in (5, 6) and "a" in e.tracks for e in rep.events)


def test_cluster_frames_and_recall() -> None:
    assert cluster_frames([10, 12, 15, 30, 31, 50], 3) == [(10, 12, 15), (30, 31), (50,)]
    ev = [QcEvent(frame_idx=f, video_index=0, kind=k, tracks=(), score=-i, why="")
          for i, (f, k) in enumerate([(18, "swap"), (33, "jump"), (52, "break")])]
    rec = switch_recall([10, 12, 15, 30, 31, 50], ev)
    assert rec.found == (True, False, True) and rec.top_k == 20
    assert rec.recall == pytest.approx(2 / 3)
    assert switch_recall([10], ev, top_k=1).recall == 0.0
    assert switch_recall([], ev).recall == 1.0


def test_identity_switches_are_the_frames_identity_metrics_counts() -> None:
    poses = _two_animals()
    gt = [LabeledFrame(0, t, [Instance(points=pa, track=Track("m")) for pa in (poses[t][0],)]
                       + [Instance(points=poses[t][1], track=Track("f"))]) for t in range(100)]
    m, f = Track("m"), Track("f")
    for fr in gt:
        fr.instances[0].track, fr.instances[1].track = m, f
    pred = _frames(poses, lambda t: (A, B) if t < 75 else (B, A))
    sw = identity_switches(gt, pred)
    assert [(s.frame_idx, s.gt_track, s.old_track, s.new_track) for s in sw] == [
        (75, "m", "a", "b"), (75, "f", "b", "a")]
    assert identity_metrics(gt, pred)["id_switches"] == len(sw)


def test_candidates_of_one_error_merge_into_the_most_probable() -> None:
    from pose_domain.qc.rank import Candidate, rank, swap_features

    def cand(frame: int, tracks: tuple[str, ...], ev: float) -> Candidate:
        f = swap_features(ev=ev, near=0.5, missing=False, z_own=20.0, z_cross=1.0,
                          d_cross=0.1, score=0.9, unseen=False, shape=0.0, next_z=1.0,
                          back_z=20.0, own_bl=1.0, back_bl=1.0, gap_other=1.0)
        return Candidate(frame=frame, video_index=0, kind="swap", tracks=tracks, features=f,
                         why="")

    events = rank([cand(10, ("a", "b"), 2.0), cand(12, ("b", "c"), 8.0),
                   cand(11, ("d", "e"), 1.0), cand(20, ("a", "b"), 1.0)], radius=3)
    # (10, a-b) shares b with the stronger (12, b-c) within 3 frames: the same error
    assert [(e.frame_idx, e.tracks) for e in events] == [
        (12, ("b", "c")), (11, ("d", "e")), (20, ("a", "b"))]
    assert events[0].score > events[-1].score


def test_precision_and_recall_at_k() -> None:
    from pose_domain.qc import precision_recall_at

    ev = [QcEvent(frame_idx=f, video_index=0, kind=k, tracks=(), score=1 - i / 10, why="")
          for i, (f, k) in enumerate([(11, "swap"), (13, "swap"), (40, "jump"), (52, "break")])]
    at2 = precision_recall_at([10, 12, 50], ev, 2)
    assert (at2.precision, at2.recall) == (1.0, 0.5)
    at4 = precision_recall_at([10, 12, 50], ev, 4)
    assert (at4.precision, at4.recall) == (0.75, 1.0)
    assert precision_recall_at([], [], 0).precision == 1.0


def test_recheck_after_a_fix() -> None:
    from pose_domain.qc import recheck

    def ev(f: int, likely: bool = True) -> QcEvent:
        return QcEvent(frame_idx=f, video_index=0, kind="swap", tracks=("a", "b"),
                       score=0.9 if likely else 0.1, why="", likely=likely)

    r = recheck([ev(10), ev(50), ev(90, likely=False)], [ev(52), ev(200), ev(10, likely=False)])
    assert [e.frame_idx for e in r.gone] == [10]
    assert [e.frame_idx for e in r.remaining] == [50]
    assert [e.frame_idx for e in r.new] == [200]
    back = QcEvent.from_dict(ev(50).to_dict())
    assert back == ev(50)
