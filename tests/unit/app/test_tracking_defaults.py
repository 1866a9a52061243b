"""The reference's target-count and candidate defaulting rules (parity notes §5.8)."""

from __future__ import annotations

import pytest

from pose_app.options import TrackingOptions
from pose_app.track import build_tracker, online_config
from pose_domain.errors import InvalidOptionError
from pose_domain.tracking.kalman import KalmanTracker
from tests.unit.domain.tracking.test_kalman import ConstantVelocity


@pytest.mark.parametrize("flag", [{"post_connect_single_breaks": True},
                                  {"tracking_pre_cull_to_target": 1}, {"use_kalman": True}])
def test_target_defaults_to_max_instances(flag: dict[str, object]) -> None:
    cfg = online_config(TrackingOptions.from_flags(**flag), max_instances=3)
    assert cfg.target_count == 3


@pytest.mark.parametrize("flag", [{"post_connect_single_breaks": True},
                                  {"tracking_pre_cull_to_target": 1}, {"use_kalman": True}])
def test_track_refuses_without_a_target(flag: dict[str, object]) -> None:
    with pytest.raises(InvalidOptionError, match="target instance count"):
        online_config(TrackingOptions.from_flags(**flag), max_instances=None)


def test_predict_lets_kalman_use_max_tracks() -> None:
    opts = TrackingOptions.from_flags(use_kalman=True, max_tracks=2, defaults="predict")
    cfg = online_config(opts, max_instances=None)
    assert cfg.target_count is None and cfg.candidates_method == "local_queues"


def test_predict_pcsb_defaults_max_tracks_without_switching_candidates() -> None:
    opts = TrackingOptions.from_flags(post_connect_single_breaks=True, defaults="predict")
    cfg = online_config(opts, max_instances=2)
    assert cfg.max_tracks == 2 and cfg.candidates_method == "fixed_window"


def test_track_only_pcsb_switches_to_local_queues() -> None:
    pcsb = TrackingOptions.from_flags(post_connect_single_breaks=True)
    cfg = online_config(pcsb, max_instances=2, track_only=True)
    assert cfg.max_tracks == 2 and cfg.candidates_method == "local_queues"


def test_kalman_keypoints_widens_oks_and_excludes_flow() -> None:
    opts = TrackingOptions.from_flags(use_kalman=True, kf_track_features="keypoints")
    assert online_config(opts, max_instances=2).oks_stddev == 0.1
    with pytest.raises(InvalidOptionError, match="exclude"):
        online_config(TrackingOptions.from_flags(use_kalman=True, use_flow=True), max_instances=2)


def test_build_tracker_makes_a_kalman_tracker() -> None:
    tr = build_tracker(TrackingOptions.from_flags(use_kalman=True), max_instances=2,
                       kalman_backend=ConstantVelocity())
    assert isinstance(tr, KalmanTracker)
    assert tr.config.pre_cull is False


def test_predict_auto_features_follow_the_skeleton() -> None:
    from pose_app.options import PredictTrackingOptions

    opts = PredictTrackingOptions()
    one = opts.resolved(1).online
    assert (one.features, one.scoring_method) == ("centroids", "euclidean_dist")
    many = opts.resolved(5).online
    assert (many.features, many.scoring_method) == ("keypoints", "oks")
    explicit = PredictTrackingOptions.from_flags(features="bboxes", scoring_method="iou")
    assert (explicit.resolved(1).online.features, explicit.resolved(1).online.scoring_method) \
        == ("bboxes", "iou")
    assert TrackingOptions().resolved(1).online.features == "keypoints"  # track's defaults
