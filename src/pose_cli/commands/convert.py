"""``pose convert IN OUT``: rewrite a ``.slp`` in any registered output format."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Literal

from cyclopts import Parameter

from pose.bootstrap import format_registry

if TYPE_CHECKING:
    FormatName = str
else:  # the registry's formats, plug-ins included (this module loads only for pose convert)
    FormatName = Literal[tuple(format_registry().output_names())]


def convert(
    input_path: Annotated[str, Parameter(help="The .slp (or .pkg.slp) to convert.")],
    output_path: Annotated[
        str, Parameter(help="The file to write; its suffix names the format unless --format "
                            "does (.slp, .pkg.slp, .analysis.h5, .nwb, .dlc.h5, .dlc.csv...).")
    ],
    /,
    *,
    output_format: Annotated[
        FormatName | None,
        Parameter(name=["--format", "--output_format"],
                  help="Output format (default: the one OUT's suffix names; pose system "
                       "describes each)."),
    ] = None,
) -> int:
    """Convert predictions to another format: SLEAP (.slp, .pkg.slp, analysis HDF5), NWB
    (ndx-pose), DeepLabCut (.h5/.csv), or any format a plug-in registers."""
    from pose import bootstrap

    if output_format is not None:
        bootstrap.check_outputs([output_format])
    use_case = bootstrap.build_convert_use_case()
    with bootstrap.output_lock(output_path):  # one writer per output (ADR-0130)
        result = use_case(input_path, output_path, output_format)
    print(f"pose: wrote {result.output_path} ({result.output_format}, "
          f"{result.n_frames} labeled frames)", file=sys.stderr)
    return 0
