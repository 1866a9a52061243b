"""``pose qc``: rank the frames where identities probably went wrong; write a report folder.

Every flag is a field of :class:`pose_app.options_commands.QcOptions` (ADR-0095).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

from pose_app.options_commands import QcOptions
from pose_cli.options import cli_type, to_options

if TYPE_CHECKING:
    CliQcOptions = QcOptions
else:  # the flags' twin of QcOptions (what cyclopts parses)
    CliQcOptions = cli_type(QcOptions)


def qc(
    predictions: Annotated[
        str, Parameter(help="Tracked .slp to check (from pose, sleap-nn or SLEAP).")
    ],
    /,
    *,
    options: Annotated[CliQcOptions, Parameter(name="*")],
) -> int:
    """Find probable identity swaps and track breaks in a tracked .slp, without ground truth,
    and write a ranked list (qc.json) and a self-contained report page (index.html)."""
    from pose import bootstrap

    opts = to_options(QcOptions, options)
    result = bootstrap.build_qc_use_case().run(opts.request(predictions))
    for w in result.warnings:
        print(f"pose: warning: {w}", file=sys.stderr)
    s = result.document["summary"]
    by = s["events_by_kind"]
    line = (f"pose: {s['n_likely']} likely identity error(s) (score >= {s['likely_cutoff']:g}); "
            f"{by.get('swap', 0)} swap, {by.get('break', 0)} break and "
            f"{s['n_events'] - s['identity_events']} other events in all")
    if s.get("recheck"):
        r = s["recheck"]
        line += (f"; since {r['previous']}: {len(r['gone'])} gone, {len(r['remaining'])} "
                 f"remain, {len(r['new'])} new")
    if s.get("identity"):
        line += f"; {s['identity']['id_switches']} true switches against the ground truth"
    print(line, file=sys.stderr)
    print(f"pose: wrote {os.path.join(opts.output, 'index.html')}", file=sys.stderr)
    return 0
