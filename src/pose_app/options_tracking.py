"""Identity tracking options, one group per tracker (ADR-0095, ADR-0151).

:class:`TrackingOptions` holds the switches (``--tracking``, ``--tracker``) and one group per
tracker: the online tracker's candidates, scoring and matching (:class:`OnlineTrackingOptions`),
its optical-flow shift (:class:`FlowOptions`), its Kalman motion model (:class:`KalmanOptions`),
and the identity count shared by the online post-processing and the global tracker
(:class:`IdentityCountOptions`). The field names are sleap-nn's flat flag names; the CLI and
``from_flags`` stay flat (``--use_flow``, ``from_flags(max_tracks=2)``).

Adding a tracker option: add a field to the group of the tracker that reads it, then read it
where the tracker is built (:mod:`pose_app.track`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from pose_app.option_kit import (
    _flags,
    _int_list,
    _int_list_ok,
    _non_negative,
    _positive,
    build_from_flags,
)
from pose_app.option_kit import one_of as _one_of
from pose_domain.defaults import (
    DEFAULT_KF_INIT_FRAME_COUNT,
    DEFAULT_KF_RESET_GAP_SIZE,
    DEFAULT_OF_IMG_SCALE,
    DEFAULT_OF_MAX_LEVELS,
    DEFAULT_OF_WINDOW_SIZE,
    DEFAULT_TRACKING_WINDOW_SIZE,
)

CandidatesMethod = Literal["fixed_window", "local_queues"]
Features = Literal["keypoints", "centroids", "bboxes", "image", "auto"]
ScoringMethod = Literal["oks", "cosine_sim", "iou", "euclidean_dist", "auto"]
ScoringReduction = Literal["mean", "max", "robust_quantile"]
MatchingMethod = Literal["hungarian", "greedy"]
TrackerKind = Literal["online", "global"]
KalmanFeatures = Literal["centroid", "keypoints"]
DefaultsKind = Literal["track", "predict"]


@attrs.frozen(kw_only=True)
class OnlineTrackingOptions:
    """Tracking, online tracker: candidates, scoring and matching."""

    tracking_window_size: int = attrs.field(
        default=DEFAULT_TRACKING_WINDOW_SIZE, validator=_positive
    )
    """Past frames whose instances are candidates for matching."""
    min_new_track_points: int = 0
    """Smallest number of visible points that starts a new track."""
    candidates_method: CandidatesMethod = attrs.field(
        default="fixed_window", validator=_one_of(CandidatesMethod)
    )
    """Candidates from the last frames (fixed_window) or per-track queues (local_queues)."""
    min_match_points: int = 0
    """Smallest number of visible points for an instance to be matched."""
    features: Features = attrs.field(default="keypoints", validator=_one_of(Features))
    """What instances are compared by (auto: keypoints, centroids for 1-node skeletons)."""
    scoring_method: ScoringMethod = attrs.field(default="oks", validator=_one_of(ScoringMethod))
    """Similarity of an instance and a candidate (auto: oks, euclidean_dist for 1 node)."""
    scoring_reduction: ScoringReduction = attrs.field(
        default="mean", validator=_one_of(ScoringReduction)
    )
    """How a track's candidate scores reduce to one."""
    robust_best_instance: float = 1.0
    """Quantile used by the robust_quantile reduction."""
    track_matching_method: MatchingMethod = attrs.field(
        default="hungarian", validator=_one_of(MatchingMethod)
    )
    """How instances are assigned to tracks."""
    oks_stddev: float | None = None
    """OKS keypoint standard deviation for tracking scores (default 0.025)."""


@attrs.frozen(kw_only=True)
class PredictOnlineTrackingOptions(OnlineTrackingOptions):
    """Tracking, online tracker: candidates, scoring and matching."""

    features: Features = attrs.field(default="auto", validator=_one_of(Features))
    """What instances are compared by (auto: keypoints, centroids for 1-node skeletons)."""
    scoring_method: ScoringMethod = attrs.field(default="auto", validator=_one_of(ScoringMethod))
    """Similarity of an instance and a candidate (auto: oks, euclidean_dist for 1 node)."""


@attrs.frozen(kw_only=True)
class IdentityCountOptions:
    """Tracking, track count: cap, target, pre-cull, cleanup (online post-processing, global)."""

    max_tracks: int | None = attrs.field(
        default=None, validator=_positive, metadata=_flags("--max-tracks")
    )
    """Create at most this many tracks (switches to local_queues)."""
    tracking_target_instance_count: int | None = None
    """Animals expected per frame (default: --max_instances)."""
    post_connect_single_breaks: bool = False
    """After tracking, join tracks that break once when the target count is known."""
    tracking_clean_instance_count: int = 0
    """After tracking, keep at most this many instances per frame (0 = off)."""
    tracking_clean_iou_threshold: float = 0.0
    """IoU above which the cleaning pass drops a duplicate."""
    tracking_pre_cull_to_target: int = attrs.field(default=0, validator=_non_negative)
    """Before tracking each frame, cull it to the target count (0 = off)."""
    tracking_pre_cull_iou_threshold: float = attrs.field(default=0.0, validator=_non_negative)
    """Overlap above which the pre-cull drops a duplicate first (0 = by score only)."""


@attrs.frozen(kw_only=True)
class FlowOptions:
    """Tracking, optical flow: shift the online tracker's candidates before matching."""

    use_flow: bool = False
    """Shift candidates by optical flow before matching."""
    of_img_scale: float = attrs.field(default=DEFAULT_OF_IMG_SCALE, validator=_positive)
    """Optical flow: image scale."""
    of_window_size: int = attrs.field(default=DEFAULT_OF_WINDOW_SIZE, validator=_positive)
    """Optical flow: window size in pixels."""
    of_max_levels: int = attrs.field(default=DEFAULT_OF_MAX_LEVELS, validator=_non_negative)
    """Optical flow: pyramid levels."""


@attrs.frozen(kw_only=True)
class KalmanOptions:
    """Tracking, Kalman filter: move the online tracker's candidates by a motion model."""

    use_kalman: bool = False
    """Move candidates with a per-track Kalman filter (needs pykalman: pose[kalman])."""
    kf_track_features: KalmanFeatures = attrs.field(
        default="centroid", validator=_one_of(KalmanFeatures)
    )
    """Kalman: track each track's centroid, or every keypoint."""
    kf_init_frame_count: int = attrs.field(
        default=DEFAULT_KF_INIT_FRAME_COUNT, validator=_positive
    )
    """Kalman: warm-up frames tracked without the filters before they are fit."""
    kf_node_indices: str | None = attrs.field(default=None, validator=_int_list_ok)
    """Kalman: node indices the motion model uses, comma-separated, e.g. 0,1,2 (default: all)."""
    kf_reset_gap_size: int = attrs.field(default=DEFAULT_KF_RESET_GAP_SIZE,
                                         validator=_non_negative)
    """Kalman: missed frames after which a track's filter is reset."""

    @property
    def kf_nodes(self) -> tuple[int, ...] | None:
        """``kf_node_indices`` as integers (None = all nodes)."""
        return _int_list(self.kf_node_indices)


@attrs.frozen(kw_only=True)
class TrackingOptions:
    """Tracking (reference names and defaults): on or off, and which tracker."""

    tracking: bool = attrs.field(default=False, metadata=_flags("-t"))
    """Track identities (with -m: on the predictions; without: re-track a .slp)."""
    tracker: TrackerKind = attrs.field(default="online", validator=_one_of(TrackerKind))
    """online (the reference's tracker) or global (offline, whole video at once)."""
    defaults: DefaultsKind = attrs.field(
        default="track", validator=_one_of(DefaultsKind), metadata={"hidden": True}
    )
    """Whose defaulting rules apply: track (legacy) or predict (sleap-nn predict)."""
    online: OnlineTrackingOptions = attrs.field(factory=OnlineTrackingOptions)
    identities: IdentityCountOptions = attrs.field(factory=IdentityCountOptions)
    flow: FlowOptions = attrs.field(factory=FlowOptions)
    kalman: KalmanOptions = attrs.field(factory=KalmanOptions)

    @classmethod
    def from_flags(cls, flags: Mapping[str, Any] | None = None, /,
                   **more: Any) -> TrackingOptions:
        """Tracking options from flat flag names (``max_tracks=2, use_flow=True``).

        Raises:
            InvalidOptionError: An unknown name, or a value a validator refuses.
        """
        return build_from_flags(cls, {**(flags or {}), **more},
                                hint="use the `pose track` tracking flag names")

    def resolved(self, n_nodes: int | None) -> TrackingOptions:
        """``auto`` features/scoring made concrete for a skeleton of ``n_nodes`` (predict's
        rule: centroids + euclidean_dist for 1-node skeletons, else keypoints + oks)."""
        one = n_nodes == 1
        feats: Features = self.online.features
        score: ScoringMethod = self.online.scoring_method
        if feats == "auto":
            feats = "centroids" if one else "keypoints"
        if score == "auto":
            score = "euclidean_dist" if one else "oks"
        if (feats, score) == (self.online.features, self.online.scoring_method):
            return self
        online = attrs.evolve(self.online, features=feats, scoring_method=score)
        return attrs.evolve(self, online=online)


@attrs.frozen(kw_only=True)
class PredictTrackingOptions(TrackingOptions):
    """Tracking (sleap-nn predict's defaults): on or off, and which tracker.

    Features and scoring default to ``auto`` (chosen by the skeleton).
    """

    defaults: DefaultsKind = attrs.field(
        default="predict", validator=_one_of(DefaultsKind), metadata={"hidden": True}
    )
    """Whose defaulting rules apply: track (legacy) or predict (sleap-nn predict)."""
    online: PredictOnlineTrackingOptions = attrs.field(factory=PredictOnlineTrackingOptions)
