"""Options of ``pose qc``, ``pose render`` and ``pose export``, declared once (ADR-0095, ADR-0150).

As in :mod:`pose_app.options`: each field is a flag (its name, extra spellings in
``metadata["flags"]``), its docstring is the flag's help, and ``pose_cli.options`` derives the
CLI from the class. The positional inputs stay in the commands. Each class turns itself into
its use case's request, so a command only parses, runs and prints. Nothing here imports numpy
(``pose CMD --help`` stays light): the requests are imported when they are made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs

from pose_app.option_kit import NEGATIVE, _flags
from pose_app.option_kit import one_of as _one_of
from pose_app.options import ProgressKind
from pose_domain.defaults import (
    DEFAULT_DIST_PENALTY_WEIGHT,
    DEFAULT_MAX_EDGE_LENGTH_RATIO,
    DEFAULT_PAF_LINE_POINTS,
    DEFAULT_PEAK_THRESHOLD,
    DEFAULT_QC_MAX_EVENTS,
    DEFAULT_QC_THUMBNAILS,
)
from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:
    from pose_app.qc import QcRequest
    from pose_app.render import RenderRequest

ExportFormat = Literal["onnx", "tensorrt", "both"]
ExportPrecision = Literal["fp32", "fp16", "tf32"]


def _at_least_one(inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 1:
        raise InvalidOptionError(f"--{attribute.name} must be >= 1, got {value}")


def _batch_at_least_one(inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 1:
        raise InvalidOptionError("--max-batch-size must be at least 1")


def _scale_positive(inst: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise InvalidOptionError("--input-scale must be positive")


@attrs.frozen(kw_only=True)
class QcOptions:
    """Where the report goes and what it shows."""

    output: str = attrs.field(metadata=_flags("-o"))
    """Report folder (qc.json, index.html)."""
    video: str | None = None
    """The video, when it is not where the .slp says (for thumbnails; without it the report
    has none)."""
    ground_truth: str | None = attrs.field(default=None, metadata=_flags("-g"))
    """Proofread .slp of the same video: adds the identity metrics of pose eval and the true
    switch frames to the report."""
    thumbnails: int = DEFAULT_QC_THUMBNAILS
    """Thumbnails for the strongest N events (0 = none)."""
    max_events: int = attrs.field(default=DEFAULT_QC_MAX_EVENTS, validator=_at_least_one)
    """Most events kept per video (strongest first)."""
    previous: str | None = None
    """An earlier report of this video (its qc.json or folder): after a fix, the new report
    says which likely events are gone, remain or are new."""

    def request(self, predictions: str) -> QcRequest:
        """The QC use case's request for the tracked ``.slp`` ``predictions``."""
        from pose_app.qc import QcRequest
        from pose_domain.qc import QcConfig

        return QcRequest(
            predictions_path=predictions, output_dir=self.output, video_path=self.video,
            ground_truth_path=self.ground_truth, thumbnails=self.thumbnails,
            config=QcConfig(max_events=self.max_events), previous_path=self.previous,
        )


@attrs.frozen(kw_only=True)
class RenderOptions:
    """What to draw, and where."""

    video: str | None = None
    """The video, when it is not where the .slp says."""
    frames: str | None = None
    """Frames to render, inclusive ranges such as 0-499 or 10,20-30 (default: the whole
    video)."""
    output: str | None = attrs.field(default=None, metadata=_flags("-o"))
    """Video to write (default: PREDICTIONS.render.mp4 beside the input)."""
    trails: int = 0
    """Length in frames of a motion trail behind each animal (0 = no trail)."""
    frame_numbers: bool = attrs.field(default=True, metadata={NEGATIVE: "--no-frame_numbers"})
    """Write the frame index in the top-left corner."""
    scale: float = 1.0
    """Output size relative to the video (e.g. 0.5)."""
    video_index: int = 0
    """Which video of the .slp to render."""
    progress: ProgressKind = attrs.field(default="rich", validator=_one_of(ProgressKind))
    """Progress display: rich, json or none."""

    def request(self, predictions: str) -> RenderRequest:
        """The render use case's request for the ``.slp`` ``predictions``."""
        import os

        from pose_app.ports.qc import OverlayStyle
        from pose_app.render import RenderRequest

        out = self.output or os.path.splitext(predictions)[0] + ".render.mp4"
        return RenderRequest(
            predictions_path=predictions, output_path=out, video_path=self.video,
            frames=self.frames, video_index=self.video_index,
            style=OverlayStyle(trails=self.trails, frame_numbers=self.frame_numbers,
                               scale=self.scale),
        )


@attrs.frozen(kw_only=True)
class ExportRecordedDefaults:
    """Decoding defaults recorded in the export folder (sleap-nn export's names)."""

    flag_style: ClassVar[str] = "kebab"

    peak_threshold: float = DEFAULT_PEAK_THRESHOLD
    """Recorded default peak threshold."""
    max_peaks_per_node: int = 20
    """Recorded (bottom-up)."""
    n_line_points: int = DEFAULT_PAF_LINE_POINTS
    """Recorded default PAF line points."""
    max_edge_length_ratio: float = DEFAULT_MAX_EDGE_LENGTH_RATIO
    """Recorded (bottom-up)."""
    dist_penalty_weight: float = DEFAULT_DIST_PENALTY_WEIGHT
    """Recorded (bottom-up)."""


@attrs.frozen(kw_only=True)
class ExportOptions:
    """What ``pose export`` writes (sleap-nn export's flag names)."""

    flag_style: ClassVar[str] = "kebab"

    output: str | None = attrs.field(
        default=None, metadata=_flags("-o", "--output-dir", "--output_dir")
    )
    """Output folder (default: MODEL/exported, CENTROID/exported_topdown)."""
    format: ExportFormat = attrs.field(default="onnx", validator=_one_of(ExportFormat),
                                       metadata=_flags("-f"))
    """onnx, tensorrt (ONNX + engine) or both."""
    precision: ExportPrecision = attrs.field(default="fp16", validator=_one_of(ExportPrecision))
    """TensorRT precision (ONNX is always fp32); tf32 builds as fp32."""
    workspace_size_gb: float | None = None
    """Accepted for sleap-nn compatibility: pose sizes the TensorRT workspace itself."""
    max_instances: int = 20
    """Default max instances for prediction."""
    max_batch_size: int = attrs.field(default=8, validator=_batch_at_least_one)
    """Largest batch of the TensorRT engine."""
    input_scale: float | None = attrs.field(default=None, validator=_scale_positive)
    """Override the input scale."""
    input_height: int | None = None
    """Height the TensorRT engine is optimised for."""
    input_width: int | None = None
    """Width the TensorRT engine is optimised for."""
    crop_size: int | None = None
    """Override the top-down crop size."""
    device: str = "cpu"
    """cpu, or cuda / cuda:N for TensorRT."""
    opset_version: int = 17
    """ONNX opset."""
    verify: bool = attrs.field(default=True, metadata={NEGATIVE: "--no-verify"})
    """Check each ONNX graph against torch (max |diff| ≤ 1e-4)."""
    recorded: ExportRecordedDefaults = attrs.field(factory=ExportRecordedDefaults)

    @property
    def engine_precision(self) -> str:
        """The TensorRT build precision (``tf32`` builds as ``fp32``)."""
        return "fp32" if self.precision == "tf32" else self.precision

    @property
    def wants_engine(self) -> bool:
        """Whether a TensorRT engine is built (``--format tensorrt`` or ``both``)."""
        return self.format in ("tensorrt", "both")

    def inference_defaults(self) -> dict[str, Any]:
        """The ``inference_defaults`` of ``export_metadata.json`` (``pose predict`` reads
        them; ``n_points`` is the PAF line points)."""
        r = self.recorded
        return {
            "peak_threshold": r.peak_threshold,
            "max_peaks_per_node": r.max_peaks_per_node,
            "n_points": r.n_line_points,
            "max_edge_length_ratio": r.max_edge_length_ratio,
            "dist_penalty_weight": r.dist_penalty_weight,
            "max_instances": self.max_instances,
        }
