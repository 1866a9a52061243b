"""Output options and sleap-nn ``predict``'s own options (groups of ``TrackOptions``)."""

from __future__ import annotations

from typing import Literal

import attrs

from pose_app.option_kit import (
    _EXEC,
    CHOICES,
    NEGATIVE,
    OutputFormat,
    _each_format,
    _embed,
    _flags,
    _formats,
    _non_negative,
    _positive,
)
from pose_app.option_kit import one_of as _one_of

EmbedMode = Literal["auto", "true", "false"]
CentroidOutput = Literal["instance", "centroid", "both"]


@attrs.frozen(kw_only=True)
class OutputOptions:
    """Where and how predictions are written."""

    output_path: str | None = attrs.field(
        default=None, metadata=_flags("-o", "--output", **_EXEC)
    )
    """Output file (default: INPUT.predictions.slp)."""
    output_format: list[OutputFormat] = attrs.field(
        factory=lambda: ["slp"], converter=_formats, validator=_each_format,
        metadata={CHOICES: "output_formats"},
    )
    """Output format(s), repeat for several: the first is written to -o, the others named
    after it (-o W.slp with analysis_h5 writes W.analysis.h5); pose system lists them."""
    overwrite: bool = attrs.field(default=False, metadata=_EXEC)
    """Overwrite outputs that exist (with several inputs they are skipped otherwise)."""
    embed: EmbedMode = attrs.field(default="false", converter=_embed, validator=_one_of(EmbedMode))
    """Store the predicted frames' images in the .slp (true; auto = only for image inputs)."""
    restore_source_videos: bool = attrs.field(
        default=False, metadata={NEGATIVE: "--no-restore_source_videos"}
    )
    """Point the output at the source videos of an embedded .pkg.slp input."""

    @property
    def primary_format(self) -> str:
        """The format whose file ``-o`` names (the first given)."""
        return self.output_format[0]


@attrs.frozen(kw_only=True)
class PredictOptions:
    """sleap-nn predict options (centroid models, execution)."""

    centroid_only: bool = attrs.field(default=False, metadata=_flags("--centroid-only"))
    """Run only the centroid stage of a top-down pair: one 1-node instance per centroid."""
    centroid_output: CentroidOutput = attrs.field(
        default="instance", validator=_one_of(CentroidOutput),
        metadata=_flags("--centroid-output"),
    )
    """Centroid-only results: 1-node instances, sleap-io centroids, or both."""
    stream_to_file: str | None = attrs.field(default=None, metadata=_flags("--stream-to-file"))
    """Accepted for sleap-nn compatibility: pose always writes incrementally (chunks)."""
    write_interval: int | None = attrs.field(
        default=None, validator=_positive, metadata=_flags("--write-interval")
    )
    """Accepted for sleap-nn compatibility: pose persists every chunk of frames."""
    paf_workers: int = attrs.field(
        default=0, validator=_non_negative, metadata=_flags("--paf-workers", "--cpu-workers")
    )
    """Accepted for sleap-nn compatibility: pose groups PAFs on its own worker threads."""
    headers: str | None = None
    """Remote inputs (HTTP headers as JSON): not supported, local files only."""
    stream_mode: str | None = attrs.field(default=None, metadata=_flags("--stream-mode"))
    """Remote inputs: not supported, local files only."""


