"""The reference-exact online tracker on small hand-made sequences."""

from __future__ import annotations

import numpy as np
import pytest

from pose_domain.errors import InvalidOptionError
from pose_domain.instance import Instance, PredictedInstance
from pose_domain.tracking import OnlineConfig, OnlineTracker

NAN = np.nan


def inst(x: float, y: float, n_nodes: int = 3, missing: int = 0) -> PredictedInstance:
    pts = np.array([[x + 5 * k, y + 3 * k] for k in range(n_nodes)], dtype=float)
    if missing:
        pts[:missing] = NAN
    return PredictedInstance.from_arrays(pts, np.ones(n_nodes), 1.0)


def names(out: list[Instance]) -> list[str]:
    return [i.track.name if i.track else "-" for i in out]


def test_first_frame_spawns_tracks_then_follows_motion() -> None:
    tr = OnlineTracker()
    out0 = tr.track([inst(0, 0), inst(100, 100)], 0)
    assert names(out0) == ["track_0", "track_1"]
    assert [i.tracking_score for i in out0] == [1.0, 1.0]  # type: ignore[attr-defined]
    out1 = tr.track([inst(101, 99), inst(1, 1)], 1)
    assert names(out1) == ["track_1", "track_0"]
    assert 0 < out1[0].tracking_score <= 1  # type: ignore[attr-defined]
    assert [t.name for t in tr.tracks] == ["track_0", "track_1"]


def test_always_attaches_and_spawns_for_extra_instances() -> None:
    tr = OnlineTracker()
    tr.track([inst(0, 0)], 0)
    out = tr.track([inst(500, 500), inst(900, 900)], 1)
    # no similarity gate: one of them takes track_0, the other spawns track_1
    assert sorted(names(out)) == ["track_0", "track_1"]


def test_fixed_window_drops_instances_below_min_new_track_points() -> None:
    tr = OnlineTracker(OnlineConfig(min_new_track_points=2))
    out = tr.track([inst(0, 0), inst(50, 50, missing=2)], 0)  # second has 1 visible node
    assert names(out) == ["track_0"]


def test_local_queues_keeps_small_instances_untracked_on_the_first_frame_only() -> None:
    tr = OnlineTracker(OnlineConfig(candidates_method="local_queues", min_new_track_points=2))
    out = tr.track([inst(0, 0), inst(50, 50, missing=2)], 0)
    assert names(out) == ["track_0", "-"]
    out = tr.track([inst(0, 0), inst(500, 500, missing=2)], 1)
    assert names(out) == ["track_0"]


def test_local_queues_caps_tracks_at_max_tracks() -> None:
    tr = OnlineTracker(OnlineConfig(candidates_method="local_queues", max_tracks=2))
    tr.track([inst(0, 0), inst(100, 0)], 0)
    out = tr.track([inst(0, 0), inst(100, 0), inst(300, 300)], 1)
    assert names(out) == ["track_0", "track_1"]
    assert len(tr.tracks) == 2


def test_empty_frames_consume_window_slots() -> None:
    tr = OnlineTracker(OnlineConfig(window_size=2))
    tr.track([inst(0, 0)], 0)
    tr.track([], 1)
    tr.track([], 2)  # window now holds two empty frames: no current track
    out = tr.track([inst(0, 0)], 3)
    assert names(out) == ["track_1"]


def test_greedy_and_centroid_euclidean() -> None:
    cfg = OnlineConfig(features="centroids", scoring_method="euclidean_dist",
                       matching_method="greedy")
    tr = OnlineTracker(cfg)
    tr.track([inst(0, 0), inst(100, 0)], 0)
    out = tr.track([inst(98, 2), inst(3, 1)], 1)
    assert names(out) == ["track_1", "track_0"]
    assert out[0].tracking_score < 0  # type: ignore[attr-defined]


def test_user_instances_are_tracked_too() -> None:
    tr = OnlineTracker()
    out = tr.track([Instance(points=np.array([[0.0, 0], [5, 3], [10, 6]]))], 0)
    assert names(out) == ["track_0"] and not out[0].is_predicted


class ShiftRight:
    """Fake optical flow: everything moved 50 px to the right."""

    def __init__(self) -> None:
        self.calls = 0

    def shift(self, ref_image: object, new_image: object, points: np.ndarray) -> np.ndarray:
        self.calls += 1
        return points + np.array([50.0, 0.0])


def test_flow_shifts_candidates_before_scoring() -> None:
    flow = ShiftRight()
    tr = OnlineTracker(OnlineConfig(), flow=flow)
    img = np.zeros((4, 4, 1), np.uint8)
    tr.track([inst(0, 0), inst(60, 0)], 0, image=img)
    out = tr.track([inst(110, 0), inst(50, 0)], 1, image=np.zeros((4, 4, 1), np.uint8))
    # shifted candidates: track_0 at 50, track_1 at 110
    assert names(out) == ["track_1", "track_0"]
    assert flow.calls == 1  # one call per source frame


def test_config_rejects_image_features() -> None:
    with pytest.raises(InvalidOptionError):
        OnlineConfig(features="image")
    with pytest.raises(InvalidOptionError):
        OnlineConfig(connect_single_breaks=True)


def test_reset_between_videos_forgets_candidates() -> None:
    tr = OnlineTracker()
    tr.track([inst(0, 0)], 0)
    tr.reset()
    assert names(tr.track([inst(0, 0)], 0)) == ["track_1"]  # new identity, unique name
    lq = OnlineTracker(OnlineConfig(candidates_method="local_queues", max_tracks=1))
    first = lq.track([inst(0, 0)], 0)[0].track
    lq.reset()
    assert lq.track([inst(300, 300)], 0)[0].track is first  # ids restart: same track_0


@pytest.mark.parametrize("method", ["fixed_window", "local_queues"])
def test_state_round_trip_resumes_identically(method: str) -> None:
    import json

    rng = np.random.default_rng(3)
    frames = [
        [inst(10 * t + rng.normal(), 0), inst(300 - 10 * t, 5 + rng.normal(), missing=t % 3)]
        for t in range(12)
    ]
    full = OnlineTracker(OnlineConfig(candidates_method=method))
    expected = [names(full.track(f, t)) for t, f in enumerate(frames)]
    first = OnlineTracker(OnlineConfig(candidates_method=method))
    got = [names(first.track(f, t)) for t, f in enumerate(frames[:6])]
    snap = json.loads(json.dumps(first.state()))
    resumed = OnlineTracker.from_state(snap)
    got += [names(resumed.track(f, t + 6)) for t, f in enumerate(frames[6:])]
    assert got == expected
