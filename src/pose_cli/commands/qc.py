"""``pose qc``: rank the frames where identities probably went wrong; write a report folder."""

from __future__ import annotations

import os
import sys
from typing import Annotated

from cyclopts import Parameter


def qc(
    predictions: Annotated[
        str, Parameter(help="Tracked .slp to check (from pose, sleap-nn or SLEAP).")
    ],
    /,
    *,
    output: Annotated[
        str, Parameter(name=["--output", "-o"], help="Report folder (qc.json, index.html).")
    ],
    video: Annotated[
        str | None,
        Parameter(name=["--video"], help="The video, when it is not where the .slp says "
                                        "(for thumbnails; without it the report has none)."),
    ] = None,
    ground_truth: Annotated[
        str | None,
        Parameter(name=["--ground_truth", "-g"],
                  help="Proofread .slp of the same video: adds the identity metrics of "
                       "pose eval and the true switch frames to the report."),
    ] = None,
    thumbnails: Annotated[
        int, Parameter(name=["--thumbnails"], help="Thumbnails for the strongest N events "
                                                    "(0 = none).")
    ] = 40,
    max_events: Annotated[
        int, Parameter(name=["--max_events"], help="Most events kept per video (strongest "
                                                    "first).")
    ] = 500,
) -> int:
    """Find probable identity swaps and track breaks in a tracked .slp, without ground truth,
    and write a ranked list (qc.json) and a self-contained report page (index.html)."""
    from pose import bootstrap
    from pose_app.qc import QcRequest
    from pose_domain.errors import InvalidOptionError
    from pose_domain.qc import QcConfig

    if max_events < 1:
        raise InvalidOptionError(f"--max_events must be >= 1, got {max_events}")
    result = bootstrap.build_qc_use_case().run(QcRequest(
        predictions_path=predictions, output_dir=output, video_path=video,
        ground_truth_path=ground_truth, thumbnails=thumbnails,
        config=QcConfig(max_events=max_events),
    ))
    for w in result.warnings:
        print(f"pose: warning: {w}", file=sys.stderr)
    s = result.document["summary"]
    by = s["events_by_kind"]
    line = (f"pose: {by.get('swap', 0)} swap, {by.get('break', 0)} break and "
            f"{s['n_events'] - s['identity_events']} other events")
    if s.get("identity"):
        line += f"; {s['identity']['id_switches']} true switches against the ground truth"
    print(line, file=sys.stderr)
    print(f"pose: wrote {os.path.join(output, 'index.html')}", file=sys.stderr)
    return 0
