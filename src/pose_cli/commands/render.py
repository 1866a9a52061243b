"""``pose render``: an overlay video of the poses in a .slp (sleap-io's renderer)."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Literal

from cyclopts import Parameter


def render(
    predictions: Annotated[str, Parameter(help=".slp with the poses to draw (tracked or not).")],
    /,
    *,
    video: Annotated[
        str | None,
        Parameter(name=["--video"], help="The video, when it is not where the .slp says."),
    ] = None,
    frames: Annotated[
        str | None,
        Parameter(name=["--frames"], help="Frames to render, inclusive ranges such as 0-499 "
                                         "or 10,20-30 (default: the whole video)."),
    ] = None,
    output: Annotated[
        str | None,
        Parameter(name=["--output", "-o"],
                  help="Video to write (default: PREDICTIONS.render.mp4 beside the input)."),
    ] = None,
    trails: Annotated[
        int, Parameter(name=["--trails"], help="Length in frames of a motion trail behind "
                                               "each animal (0 = no trail).")
    ] = 0,
    frame_numbers: Annotated[
        bool, Parameter(name=["--frame_numbers"], negative="--no-frame_numbers",
                        help="Write the frame index in the top-left corner.")
    ] = True,
    scale: Annotated[
        float, Parameter(name=["--scale"], help="Output size relative to the video (e.g. 0.5).")
    ] = 1.0,
    video_index: Annotated[
        int, Parameter(name=["--video_index"], help="Which video of the .slp to render.")
    ] = 0,
    progress: Annotated[
        Literal["rich", "json", "none"],
        Parameter(name=["--progress"], help="Progress display: rich, json or none."),
    ] = "rich",
) -> int:
    """Render the poses of a .slp over its video: skeleton edges, nodes, one colour per
    track, optional trails and frame numbers (drawn by sleap-io)."""
    from pose import bootstrap
    from pose_app.ports.qc import OverlayStyle
    from pose_app.render import RenderRequest

    out = output or os.path.splitext(predictions)[0] + ".render.mp4"
    result = bootstrap.build_render_use_case(progress).run(RenderRequest(
        predictions_path=predictions, output_path=out, video_path=video, frames=frames,
        video_index=video_index,
        style=OverlayStyle(trails=trails, frame_numbers=frame_numbers, scale=scale),
    ))
    if result.skipped:
        print(f"pose: warning: {len(result.skipped)} selected frame(s) are past the end of "
              "the video and were skipped", file=sys.stderr)
    print(f"pose: wrote {result.output_path} ({result.n_frames} frames)", file=sys.stderr)
    return 0
