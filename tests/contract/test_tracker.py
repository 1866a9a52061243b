"""Tracker contract: the online and global trackers and the numbering fake, on two animals
that stay apart."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pose_app.options import TrackerKind, TrackingOptions
from pose_app.ports.tracking import Tracker
from pose_domain.instance import LabeledFrame, PredictedInstance
from tests.fakes.predict import NumberingTracker


def _real(kind: TrackerKind) -> Callable[[], Tracker]:
    def make() -> Tracker:
        from pose_app.track import build_tracker

        return build_tracker(TrackingOptions(tracker=kind, tracking=True), max_instances=2)

    return make


TRACKERS: dict[str, Callable[[], Tracker]] = {
    "fake": NumberingTracker, "online": _real("online"), "global": _real("global"),
}


def _animal(x: float, y: float) -> PredictedInstance:
    pts = np.array([[x, y], [x + 10.0, y]])
    return PredictedInstance(points=pts, point_scores=np.ones(2), score=1.0)


@pytest.fixture(params=sorted(TRACKERS))
def tracker(request: pytest.FixtureRequest) -> Tracker:
    return TRACKERS[request.param]()


def test_tracks_two_apart_animals_with_two_identities(tracker: Tracker) -> None:
    frames = []
    for t in range(6):
        insts = [_animal(20.0 + t, 20.0), _animal(200.0 - t, 150.0)]
        frames.append(LabeledFrame(0, t, list(tracker.track(insts, t))))
    frames = tracker.finalize(frames)
    assert len(frames) == 6
    names = {(round(float(i.points[0, 1])), i.track.name) for f in frames for i in f.instances
             if i.track is not None}
    by_animal: dict[int, set[str]] = {}
    for y, name in names:
        by_animal.setdefault(y, set()).add(name)
    assert sorted(by_animal) == [20, 150]
    assert all(len(v) == 1 for v in by_animal.values())  # one identity per animal
    assert by_animal[20] != by_animal[150]
    assert len(tracker.tracks) >= 2


def test_reset_between_videos_keeps_working(tracker: Tracker) -> None:
    first = tracker.track([_animal(5.0, 5.0)], 0)
    tracker.reset()
    again = tracker.track([_animal(5.0, 5.0)], 0)
    assert len(first) == len(again) == 1
