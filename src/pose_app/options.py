"""Options of the use cases, with the reference's names and defaults (sleap-nn 0.3.5 ``track``).

These are plain frozen attrs classes: the CLI builds them from flags, the Python API from keyword
arguments. Validation of single values happens here (semantics tier); cross-checks against
models happen in the use cases.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from pose_domain.errors import InvalidOptionError

Refinement = Literal["integral", "none"]
OverlapMethod = Literal["iou", "oks"]
CandidatesMethod = Literal["fixed_window", "local_queues"]
Features = Literal["keypoints", "centroids", "bboxes", "image"]
ScoringMethod = Literal["oks", "cosine_sim", "iou", "euclidean_dist"]
ScoringReduction = Literal["mean", "max", "robust_quantile"]
MatchingMethod = Literal["hungarian", "greedy"]
TrackerKind = Literal["online", "global"]


def _one_of(*choices: str):  # type: ignore[no-untyped-def]
    def check(inst: object, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in choices:
            flag = "--" + attribute.name
            raise InvalidOptionError(
                f"{flag} must be one of {', '.join(choices)}, got '{value}'"
            )

    return check


def _positive(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value <= 0:
        raise InvalidOptionError(f"--{attribute.name} must be positive, got {value}")


def _non_negative(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value < 0:
        raise InvalidOptionError(f"--{attribute.name} must be >= 0, got {value}")


@attrs.frozen(kw_only=True)
class PreprocessOverrides:
    """Per-run overrides of the training config's preprocessing (None = use the config)."""

    max_height: int | None = attrs.field(default=None, validator=_positive)
    max_width: int | None = attrs.field(default=None, validator=_positive)
    input_scale: float | None = attrs.field(default=None, validator=_positive)
    ensure_rgb: bool | None = None
    ensure_grayscale: bool | None = None
    crop_size: int | None = attrs.field(default=None, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.ensure_rgb and self.ensure_grayscale:
            raise InvalidOptionError(
                "--ensure_rgb and --ensure_grayscale cannot both be set", hint="choose one"
            )


@attrs.frozen(kw_only=True)
class InferenceOptions:
    """How networks run and how their outputs become instances."""

    device: str = "auto"
    runtime: str = "auto"
    precision: Literal["fp32", "bf16", "fp16", "int8"] = attrs.field(
        default="fp32", validator=_one_of("fp32", "bf16", "fp16", "int8")
    )
    batch_size: int = attrs.field(default=4, validator=_positive)
    max_instances: int | None = attrs.field(default=None, validator=_positive)
    peak_threshold: float = 0.2
    integral_refinement: str = "integral"
    integral_patch_size: int = attrs.field(default=5, validator=_positive)
    anchor_part: str | None = None
    preprocess: PreprocessOverrides = attrs.field(factory=PreprocessOverrides)
    backbone_ckpt_path: str | None = None
    head_ckpt_path: str | None = None
    # bottom-up (PAF) grouping
    max_edge_length_ratio: float = 0.25
    dist_penalty_weight: float = 1.0
    n_points: int = attrs.field(default=10, validator=_positive)
    min_instance_peaks: float = 0.0
    min_line_scores: float = 0.25
    # post-inference filters
    filter_overlapping: bool = False
    filter_overlapping_method: str = attrs.field(default="iou", validator=_one_of("iou", "oks"))
    filter_overlapping_threshold: float = 0.8
    filter_min_visible_nodes: int = attrs.field(default=0, validator=_non_negative)
    filter_min_visible_node_fraction: float = attrs.field(default=0.0, validator=_non_negative)
    filter_min_mean_node_score: float = 0.0
    filter_min_instance_score: float = 0.0
    queue_maxsize: int = attrs.field(default=32, validator=_positive)
    #: SLEAP 1.4 learned refinement: grid peak + the model's offset at the peak, when the
    #: runtime returns ``offsets`` (Keras runtime, OffsetRefinementHead). Off = reference.
    legacy_offset_refinement: bool = False

    @property
    def refine(self) -> bool:
        """Only ``integral`` refines; every other value means none (reference behaviour)."""
        return self.integral_refinement == "integral"


@attrs.frozen(kw_only=True)
class TrackingOptions:
    """Identity tracking options (reference names and defaults)."""

    tracker: str = attrs.field(default="online", validator=_one_of("online", "global"))
    tracking_window_size: int = attrs.field(default=5, validator=_positive)
    min_new_track_points: int = 0
    candidates_method: str = attrs.field(
        default="fixed_window", validator=_one_of("fixed_window", "local_queues")
    )
    min_match_points: int = 0
    features: str = attrs.field(
        default="keypoints", validator=_one_of("keypoints", "centroids", "bboxes", "image")
    )
    scoring_method: str = attrs.field(
        default="oks", validator=_one_of("oks", "cosine_sim", "iou", "euclidean_dist")
    )
    scoring_reduction: str = attrs.field(
        default="mean", validator=_one_of("mean", "max", "robust_quantile")
    )
    robust_best_instance: float = 1.0
    track_matching_method: str = attrs.field(
        default="hungarian", validator=_one_of("hungarian", "greedy")
    )
    max_tracks: int | None = attrs.field(default=None, validator=_positive)
    use_flow: bool = False
    of_img_scale: float = attrs.field(default=1.0, validator=_positive)
    of_window_size: int = attrs.field(default=21, validator=_positive)
    of_max_levels: int = attrs.field(default=3, validator=_non_negative)
    oks_stddev: float | None = None
    post_connect_single_breaks: bool = False
    tracking_target_instance_count: int | None = None
    tracking_clean_instance_count: int = 0
    tracking_clean_iou_threshold: float = 0.0


@attrs.frozen(kw_only=True)
class FrameSelection:
    """Which frames of the input to process."""

    frames: tuple[int, ...] | None = None  # None = all
    video_index: int | None = None
    only_labeled_frames: bool = False
    only_suggested_frames: bool = False
    exclude_user_labeled: bool = False
    only_predicted_frames: bool = False
    no_empty_frames: bool = False

    def __attrs_post_init__(self) -> None:
        if self.only_labeled_frames and self.exclude_user_labeled:
            raise InvalidOptionError(
                "--only_labeled_frames and --exclude_user_labeled exclude each other"
            )
