"""``pose predict EXPORT_DIR INPUT``: run an exported model folder (ONNX / TensorRT).

The exported network runs behind the same runtime port as checkpoints and its outputs go
through the same domain decoding (integral refinement included), so the predictions match
``pose track`` on the checkpoint. Every ``pose track`` option applies (ADR-0095).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

from pose_app.options import TrackOptions
from pose_cli.options import cli_type, to_options

if TYPE_CHECKING:
    CliTrackOptions = TrackOptions
else:  # the flags' twin of TrackOptions (what cyclopts parses)
    CliTrackOptions = cli_type(TrackOptions)


def predict(
    export_dir: Annotated[str, Parameter(help="Export folder (from pose export).")],
    data_path: Annotated[str, Parameter(help="Video or .slp to predict on.")],
    /,
    *,
    n_frames: Annotated[
        int | None,
        Parameter(name=["--n-frames", "--n_frames"], help="Predict only the first N frames."),
    ] = None,
    options: Annotated[CliTrackOptions, Parameter(name="*")] = CliTrackOptions(),  # noqa: B008
) -> int:
    """Predict with an exported model folder (from ``pose export``)."""
    import os

    import attrs

    from pose_cli.run import run_track
    from pose_domain.errors import ModelLoadError

    if not os.path.exists(os.path.join(export_dir, "export_metadata.json")):
        raise ModelLoadError(
            f"{export_dir} is not an export folder (no export_metadata.json)",
            hint="create one with: pose export MODEL -o DIR",
        )
    opts = to_options(TrackOptions, options)
    if n_frames is not None and not opts.selection.frames:
        selection = attrs.evolve(opts.selection, frames=f"0-{max(n_frames - 1, 0)}")
        opts = attrs.evolve(opts, selection=selection)
    return run_track([data_path], [export_dir], opts)
