"""The Kalman-shift tracker with a fake filter backend (pykalman parity is a conformance case)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pose_domain.errors import InvalidOptionError
from pose_domain.instance import PredictedInstance
from pose_domain.tracking import OnlineConfig, OnlineTracker
from pose_domain.tracking.kalman import KalmanConfig, KalmanTracker


class ConstantVelocity:
    """Fit = no noise learning; step = x += v, and an observation replaces the position."""

    def __init__(self) -> None:
        self.fits = 0

    def fit(self, transition: np.ndarray, observation: np.ndarray,
            initial_state_mean: np.ndarray, observations: np.ndarray) -> tuple[Any, Any, Any]:
        self.fits += 1
        means = []
        mean = np.asarray(initial_state_mean, dtype=float)
        for row in observations:
            mean = transition @ mean
            if not np.isnan(row).any():
                mean[0::4], mean[2::4] = row[0::2], row[1::2]
            means.append(mean.copy())
        covs = np.stack([np.eye(len(mean))] * len(means))
        return transition, np.stack(means), covs

    def step(self, model: Any, mean: np.ndarray, cov: np.ndarray,
             observation: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        out = model @ mean
        if observation is not None and not np.isnan(observation).any():
            out[0::4], out[2::4] = observation[0::2], observation[1::2]
        return out, cov


def inst(x: float, y: float = 0.0) -> PredictedInstance:
    pts = np.array([[x, y], [x + 4, y + 4]])
    return PredictedInstance.from_arrays(pts, [1, 1], 1.0)


def run(tracker: OnlineTracker, frames: list[list[PredictedInstance]]) -> list[list[str]]:
    return [[i.track.name for i in tracker.track(f, k)] for k, f in enumerate(frames)]


def test_warm_up_tracks_like_the_plain_tracker() -> None:
    frames = [[inst(10 * k), inst(200 - 10 * k)] for k in range(4)]
    backend = ConstantVelocity()
    kal = KalmanTracker(OnlineConfig(), KalmanConfig(init_frame_count=10), backend)
    assert run(kal, frames) == run(OnlineTracker(OnlineConfig()), frames)
    assert backend.fits == 0


def test_filters_are_fit_after_warm_up_one_per_track() -> None:
    frames = [[inst(3.0 * k), inst(300 - 3.0 * k)] for k in range(8)]
    backend = ConstantVelocity()
    kal = KalmanTracker(OnlineConfig(), KalmanConfig(init_frame_count=4), backend)
    names = run(kal, frames)
    assert backend.fits == 2
    assert all(n == ["track_0", "track_1"] for n in names)


def test_candidates_move_with_the_predicted_velocity() -> None:
    backend = ConstantVelocity()
    kal = KalmanTracker(
        OnlineConfig(features="centroids", scoring_method="euclidean_dist"),
        KalmanConfig(init_frame_count=3, prediction_blend=1.0), backend,
    )
    for k in range(5):
        kal.track([inst(5.0 * k)], k)
    # the candidate for frame 5 is the last pose moved by one step (+5 px)
    feats, _, ids = kal._candidate_arrays(list(kal._window), None)
    assert ids == [0]
    np.testing.assert_allclose(feats[0], [5.0 * 5 + 2, 2.0])


def test_stale_tracks_lose_their_filter() -> None:
    backend = ConstantVelocity()
    kal = KalmanTracker(OnlineConfig(window_size=20), KalmanConfig(init_frame_count=3,
                                                                   reset_gap_size=2), backend)
    for k in range(4):
        kal.track([inst(float(k)), inst(100.0 + k)], k)
    assert set(kal._filters) == {0, 1}
    for k in range(4, 8):
        kal.track([inst(float(k))], k)
    assert set(kal._filters) == {0}


def test_unknown_track_features_are_refused() -> None:
    with pytest.raises(InvalidOptionError):
        KalmanConfig(track_features="bboxes")
