"""``pose export``: write a self-contained model folder (ONNX, optional TensorRT engine).

Every flag is a field of :class:`pose_app.options_commands.ExportOptions` (ADR-0095); the
export itself is :class:`pose_app.export.ExportUseCase` (ADR-0152).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

from pose_app.options_commands import ExportOptions
from pose_cli.options import cli_type, to_options

if TYPE_CHECKING:
    CliExportOptions = ExportOptions
else:  # the flags' twin of ExportOptions (what cyclopts parses)
    CliExportOptions = cli_type(ExportOptions)


def export(
    model_path: Annotated[str, Parameter(help="Model folder (sleap-nn or SLEAP ≤1.4 .h5).")],
    model_path_2: Annotated[
        str | None,
        Parameter(help="Second model folder for top-down (centroid + centered instance)."),
    ] = None,
    /,
    *,
    options: Annotated[CliExportOptions, Parameter(name="*")] = CliExportOptions(),  # noqa: B008
) -> int:
    """Export trained model(s) to a folder that ``pose predict`` runs without the checkpoint.

    The ONNX graph takes uint8 NCHW frames (any batch, height and width; 1 or 3 channels),
    normalises inside and returns the raw network outputs; pose decodes them exactly like the
    checkpoint path (integral refinement included), so exported predictions match.
    """
    from pose import bootstrap
    from pose_app.export import ExportRequest

    paths = (model_path,) + ((model_path_2,) if model_path_2 else ())
    result = bootstrap.build_export_use_case().run(
        ExportRequest(model_paths=paths, options=to_options(ExportOptions, options))
    )
    print(f"exported to {result.output_dir}")
    return 0
