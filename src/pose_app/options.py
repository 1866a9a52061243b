"""Every option of ``pose track`` and ``pose predict``, declared once (ADR-0095, ADR-0150).

Each group is a frozen attrs class; each field carries its default, its validator and one line
of help as its docstring. The field name is the flag name (sleap-nn's spelling); extra CLI
spellings (``-b``, ``--batch-size``) go in the field's ``metadata["flags"]``. The CLI builds its
flags from these classes (``pose_cli.options``), the Python API builds them from keyword
arguments with :meth:`TrackOptions.from_flags`, and Ray workers receive the objects themselves.

Adding a flag: add a field (type, default, validator, docstring) to the group it belongs to,
then use it where it matters. Nothing else lists flags. The groups live in this module,
:mod:`pose_app.options_output` (outputs, predict's own flags) and
:mod:`pose_app.options_tracking` (one group per tracker, ADR-0151); the other commands' options
are in :mod:`pose_app.options_eval` and :mod:`pose_app.options_commands`. A default that the
domain uses too is a constant of :mod:`pose_domain.defaults`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from pose_app.option_kit import (  # noqa: F401 - re-exported
    _EXEC,
    CHOICES,
    CLI_TYPE,
    EXECUTION,
    FLAGS,
    NEGATIVE,
    OutputFormat,
    _flags,
    _non_negative,
    _positive,
    _refinement,
    build_from_flags,
    check_number_types,
    flag_paths,
    flat_flags,
    option_fields,
)
from pose_app.option_kit import one_of as _one_of
from pose_app.options_output import (  # noqa: F401 - re-exported
    CentroidOutput,
    EmbedMode,
    OutputOptions,
    PredictOptions,
)
from pose_app.options_tracking import (  # noqa: F401 - re-exported
    CandidatesMethod,
    DefaultsKind,
    Features,
    FlowOptions,
    IdentityCountOptions,
    KalmanFeatures,
    KalmanOptions,
    MatchingMethod,
    OnlineTrackingOptions,
    PredictOnlineTrackingOptions,
    PredictTrackingOptions,
    ScoringMethod,
    ScoringReduction,
    TrackerKind,
    TrackingOptions,
)
from pose_domain.defaults import (
    DEFAULT_DIST_PENALTY_WEIGHT,
    DEFAULT_MAX_EDGE_LENGTH_RATIO,
    DEFAULT_MIN_LINE_SCORES,
    DEFAULT_PAF_LINE_POINTS,
    DEFAULT_PATCH_SIZE,
    DEFAULT_PEAK_THRESHOLD,
)
from pose_domain.errors import InvalidOptionError

Precision = Literal["fp32", "bf16", "fp16", "int8"]
RuntimeName = Literal["auto", "torch", "onnx", "openvino", "tensorrt", "keras"]
Refinement = Literal["integral", "local", "none"]
#: The CLI also takes SLEAP's ``None`` (the documented spelling of no refinement).
_REFINEMENT_FLAG = Literal["integral", "local", "none", "None"]
OverlapMethod = Literal["iou", "oks"]
InputFormat = Literal["channels_last", "channels_first"]
ProgressKind = Literal["rich", "json", "none"]
ExecutorKind = Literal["local", "ray"]
BelowContract = Literal["stop", "continue"]

#: Frames per network batch (``--batch_size``; sleap-nn's default).
DEFAULT_BATCH_SIZE = 4


@attrs.frozen(kw_only=True)
class PreprocessOptions:
    """Per-run overrides of the training config's preprocessing (None = use the config)."""

    max_height: int | None = attrs.field(default=None, validator=_positive)
    """Pad or resize frames to this height (default: the training config)."""
    max_width: int | None = attrs.field(default=None, validator=_positive)
    """Pad or resize frames to this width (default: the training config)."""
    input_scale: float | None = attrs.field(default=None, validator=_positive)
    """Scale frames by this factor before the network (default: the training config)."""
    ensure_rgb: bool | None = attrs.field(default=None, metadata={NEGATIVE: "--no-ensure_rgb"})
    """Convert frames to 3 channels (default: the training config)."""
    ensure_grayscale: bool | None = attrs.field(
        default=None, metadata={NEGATIVE: "--no-ensure_grayscale"}
    )
    """Convert frames to 1 channel (default: the training config)."""
    crop_size: int | None = attrs.field(default=None, validator=_positive)
    """Top-down crop size in pixels (default: the training config)."""

    def __attrs_post_init__(self) -> None:
        if self.ensure_rgb and self.ensure_grayscale:
            raise InvalidOptionError(
                "--ensure_rgb and --ensure_grayscale cannot both be set", hint="choose one"
            )


@attrs.frozen(kw_only=True)
class FilterOptions:
    """Post-inference instance filters (all off by default)."""

    filter_overlapping: bool = False
    """Drop instances that overlap a higher-scoring one."""
    filter_overlapping_method: OverlapMethod = attrs.field(
        default="iou", validator=_one_of(OverlapMethod)
    )
    """How overlap is measured: bounding-box IoU or OKS."""
    filter_overlapping_threshold: float = 0.8
    """Overlap above which the lower-scoring instance is dropped."""
    filter_min_visible_nodes: int = attrs.field(default=0, validator=_non_negative)
    """Drop instances with fewer visible nodes."""
    filter_min_visible_node_fraction: float = attrs.field(default=0.0, validator=_non_negative)
    """Drop instances with a smaller fraction of visible nodes."""
    filter_min_mean_node_score: float = 0.0
    """Drop instances whose mean node score is lower."""
    filter_min_instance_score: float = 0.0
    """Drop instances whose score is lower."""
    filter_min_centroid_distance: float = attrs.field(default=0.0, validator=_non_negative)
    """Drop centroids closer than this many px to a higher-scoring one (0 = off; last)."""

    @property
    def any(self) -> bool:
        """True when at least one filter is on."""
        return bool(
            self.filter_overlapping
            or self.filter_min_visible_nodes
            or self.filter_min_visible_node_fraction
            or self.filter_min_mean_node_score
            or self.filter_min_instance_score
            or self.filter_min_centroid_distance
        )


@attrs.frozen(kw_only=True)
class InferenceOptions:
    """How networks run and how their outputs become instances."""

    device: str = attrs.field(default="auto", metadata=_flags("-d", **_EXEC))
    """auto, cpu, cuda, cuda:N or mps."""
    runtime: RuntimeName = attrs.field(
        default="auto", validator=_one_of(RuntimeName), metadata=_flags("-r", **_EXEC)
    )
    """Network runtime; auto picks the fastest available (keras needs pose[legacy])."""
    precision: Precision = attrs.field(default="fp32", validator=_one_of(Precision))
    """fp32 (exact), or a fast mode checked against exact: int8 (CPU, OpenVINO), bf16
    (CPUs with AVX-512 BF16/AMX; f32 elsewhere), fp16 (TensorRT)."""
    fast_check_frames: int = attrs.field(default=32, validator=_non_negative, metadata=_EXEC)
    """Fast modes: check this many of the run's frames against exact fp32 first (0 = no
    check)."""
    fast_below_contract: BelowContract = attrs.field(
        default="stop", validator=_one_of(BelowContract), metadata=_EXEC
    )
    """Fast modes: stop (exit 3) or continue when the check falls below the contract."""
    batch_size: int = attrs.field(
        default=DEFAULT_BATCH_SIZE, validator=_positive, metadata=_flags("-b", "--batch-size")
    )
    """Frames per network batch."""
    max_instances: int | None = attrs.field(
        default=None, validator=_positive, metadata=_flags("-n", "--max-instances")
    )
    """Keep at most this many instances per frame (highest scores first)."""
    peak_threshold: float = attrs.field(
        default=DEFAULT_PEAK_THRESHOLD,
        metadata=_flags("--peak-threshold", "--peak-conf-threshold"),
    )
    """Smallest confidence-map value that counts as a peak."""
    centroid_peak_threshold: float | None = None
    """Peak threshold of the centroid stage of top-down and centroid models (default:
    --peak_threshold)."""
    integral_refinement: Refinement = attrs.field(
        default="integral", converter=_refinement, validator=_one_of(Refinement),
        metadata={CLI_TYPE: _REFINEMENT_FLAG},
    )
    """Sub-pixel peak refinement: integral, local (SLEAP 1.x's quarter-stride step), or none."""
    integral_patch_size: int = attrs.field(default=DEFAULT_PATCH_SIZE, validator=_positive)
    """Patch size (pixels) of integral refinement."""
    anchor_part: str | None = None
    """Node that anchors centroids (default: the training config's)."""
    backbone_ckpt_path: str | None = None
    """Load backbone weights from this checkpoint instead."""
    head_ckpt_path: str | None = None
    """Load head weights from this checkpoint instead."""
    max_edge_length_ratio: float = DEFAULT_MAX_EDGE_LENGTH_RATIO
    """Bottom-up: longest edge, as a fraction of the image size, that PAFs may connect."""
    dist_penalty_weight: float = DEFAULT_DIST_PENALTY_WEIGHT
    """Bottom-up: weight of the penalty on edges longer than that."""
    n_points: int = attrs.field(default=DEFAULT_PAF_LINE_POINTS, validator=_positive)
    """Bottom-up: points sampled along each PAF line."""
    min_instance_peaks: float = 0.0
    """Bottom-up: drop instances with fewer peaks (count, or fraction of nodes when < 1)."""
    min_line_scores: float = DEFAULT_MIN_LINE_SCORES
    """Bottom-up: smallest PAF line score that connects two peaks."""
    queue_maxsize: int = attrs.field(default=32, validator=_positive, metadata=_EXEC)
    """Frames buffered between the decoding and network stages."""
    gt_centroids: str | None = None
    """Centroids from the user instances of this labeled .slp instead of a centroid model: runs
    the centered-instance model alone on its labeled frames (pose eval then scores that model
    alone)."""
    gt_instances: bool = False
    """A centroid model on a labeled .slp: each centroid gets the nearest labeled instance
    (pose eval then scores the centroid model alone)."""
    legacy_offset_refinement: bool = False
    """SLEAP 1.4 OffsetRefinementHead models, Keras runtime: refine with the learned offsets."""
    preprocess: PreprocessOptions = attrs.field(factory=PreprocessOptions)
    filters: FilterOptions = attrs.field(factory=FilterOptions)

    @property
    def refine(self) -> bool:
        """Only ``integral`` refines; ``none`` does not."""
        return self.integral_refinement == "integral"

    @property
    def local_refine(self) -> bool:
        """``local``: each peak coordinate steps 0.25 grid cell toward its larger neighbour."""
        return self.integral_refinement == "local"


EmptyFrames = Literal["by_model", "keep"]


@attrs.frozen(kw_only=True)
class FrameSelection:
    """Which frames of the input to process."""

    frames: str = ""
    """Frames to process, e.g. 0-100,200-300 or 1,3-5 (default: all)."""
    video_index: int | None = attrs.field(default=None, validator=_non_negative)
    """Only this video of a .slp input."""
    only_labeled_frames: bool = False
    """Only frames with user labels (.slp input)."""
    only_suggested_frames: bool = False
    """Only suggested frames (.slp input)."""
    exclude_user_labeled: bool = False
    """Skip frames with user labels (.slp input)."""
    only_predicted_frames: bool = False
    """Only frames that already hold predictions (.slp input)."""
    no_empty_frames: bool = False
    """Leave frames without instances out of the output. Without it, pose predict keeps every
    processed frame (as sleap-nn predict); pose track (as sleap-nn track) drops empty frames of
    single-instance and top-down models and keeps those of bottom-up models."""
    empty_frames: EmptyFrames = attrs.field(
        default="by_model", validator=_one_of(EmptyFrames), metadata={"hidden": True}
    )
    """Frames without instances: kept as the model kind's reference track does, or all kept
    (predict)."""

    def __attrs_post_init__(self) -> None:
        if self.only_labeled_frames and self.exclude_user_labeled:
            raise InvalidOptionError(
                "--only_labeled_frames and --exclude_user_labeled exclude each other"
            )


@attrs.frozen(kw_only=True)
class InputOptions:
    """How video inputs are decoded."""

    video_dataset: str | None = None
    """Dataset holding the frames of an HDF5 video."""
    video_input_format: InputFormat = attrs.field(
        default="channels_last", validator=_one_of(InputFormat)
    )
    """Axis order of an HDF5 video's frames."""
    max_frames: int | None = attrs.field(default=None, validator=_positive, metadata=_EXEC)
    """Live inputs (-i 0, a stream URL): stop after this many frames (default: at the stream's
    end or Ctrl-C)."""


@attrs.frozen(kw_only=True)
class RunOptions:
    """How the run executes: resume, progress, local or Ray, chunks."""

    resume: bool = attrs.field(default=False, metadata=_EXEC)
    """Continue a killed run from the chunks it persisted in OUTPUT.partial/."""
    progress: ProgressKind = attrs.field(
        default="rich", validator=_one_of(ProgressKind), metadata=_EXEC
    )
    """Progress display: a rich bar, JSON lines on stdout, or none."""
    executor: ExecutorKind = attrs.field(
        default="local", validator=_one_of(ExecutorKind), metadata=_EXEC
    )
    """local (this process) or ray (one task per input or chunk)."""
    ray_address: str | None = attrs.field(default=None, metadata=_flags("--ray-address", **_EXEC))
    """Join this Ray cluster (default: start one here)."""
    gpus_per_task: float = attrs.field(
        default=0.0, validator=_non_negative, metadata=_flags("--gpus-per-task", **_EXEC)
    )
    """GPUs per Ray task."""
    cpus_per_task: float = attrs.field(
        default=1.0, validator=_positive, metadata=_flags("--cpus-per-task", **_EXEC)
    )
    """CPUs per Ray task."""
    chunk_frames: int | None = attrs.field(
        default=None, validator=_positive, metadata=_flags("--chunk-frames")
    )
    """Split each video into chunks of N frames run in parallel; identities are stitched."""
    max_retries: int = attrs.field(
        default=3, validator=_non_negative, metadata=_flags("--max-retries", **_EXEC)
    )
    """Re-runs of a Ray task whose worker died."""
    gui: bool = attrs.field(default=False, metadata=_EXEC)
    """Progress as JSON lines for the SLEAP GUI on stdout (logs stay on stderr)."""

    @property
    def batch(self) -> bool:
        """True when the run takes the batch path (Ray, or chunks)."""
        return self.executor == "ray" or bool(self.chunk_frames)


@attrs.frozen(kw_only=True)
class TrackOptions:
    """Every ``pose track`` option, by group."""

    inference: InferenceOptions = attrs.field(factory=InferenceOptions)
    tracking: TrackingOptions = attrs.field(factory=TrackingOptions)
    selection: FrameSelection = attrs.field(factory=FrameSelection)
    input: InputOptions = attrs.field(factory=InputOptions)
    output: OutputOptions = attrs.field(factory=OutputOptions)
    predict: PredictOptions = attrs.field(factory=PredictOptions)
    run: RunOptions = attrs.field(factory=RunOptions)

    @classmethod
    def from_flags(cls, flags: Mapping[str, Any] | None = None, /, **more: Any) -> TrackOptions:
        """Options from flag names (``batch_size=8, tracking=True``); the rest at defaults.

        Raises:
            InvalidOptionError: An unknown name, or a value a validator refuses.
        """
        return build_from_flags(
            cls, {**(flags or {}), **more},
            hint="use the `pose track` flag names, e.g. peak_threshold, max_instances",
        )

    def flags(self) -> dict[str, Any]:
        """Every option by flag name (JSON-able values)."""
        return dict(flat_flags(self))

    def tracking_or_none(self) -> TrackingOptions | None:
        """The tracking options when ``--tracking`` is on, else None."""
        return self.tracking if self.tracking.tracking else None


@attrs.frozen(kw_only=True)
class PredictFrameSelection(FrameSelection):
    """``sleap-nn predict``'s frames: every processed frame stays, empty or not."""

    empty_frames: EmptyFrames = attrs.field(
        default="keep", validator=_one_of(EmptyFrames), metadata={"hidden": True}
    )
    """Frames without instances: kept as the model kind's reference track does, or all kept
    (predict)."""


@attrs.frozen(kw_only=True)
class PredictCommandOptions(TrackOptions):
    """Every ``pose predict`` option: ``pose track``'s, with predict's tracking defaults and
    its empty frames."""

    tracking: PredictTrackingOptions = attrs.field(factory=PredictTrackingOptions)
    selection: PredictFrameSelection = attrs.field(factory=PredictFrameSelection)
