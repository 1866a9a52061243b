"""``pose render``: an overlay video of the poses in a .slp (sleap-io's renderer).

Every flag is a field of :class:`pose_app.options_commands.RenderOptions` (ADR-0095).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

from pose_app.options_commands import RenderOptions
from pose_cli.options import cli_type, to_options

if TYPE_CHECKING:
    CliRenderOptions = RenderOptions
else:  # the flags' twin of RenderOptions (what cyclopts parses)
    CliRenderOptions = cli_type(RenderOptions)


def render(
    predictions: Annotated[str, Parameter(help=".slp with the poses to draw (tracked or not).")],
    /,
    *,
    options: Annotated[CliRenderOptions, Parameter(name="*")] = CliRenderOptions(),  # noqa: B008
) -> int:
    """Render the poses of a .slp over its video: skeleton edges, nodes, one colour per
    track, optional trails and frame numbers (drawn by sleap-io)."""
    from pose import bootstrap

    opts = to_options(RenderOptions, options)
    result = bootstrap.build_render_use_case(opts.progress).run(opts.request(predictions))
    if result.skipped:
        print(f"pose: warning: {len(result.skipped)} selected frame(s) are past the end of "
              "the video and were skipped", file=sys.stderr)
    print(f"pose: wrote {result.output_path} ({result.n_frames} frames)", file=sys.stderr)
    return 0
