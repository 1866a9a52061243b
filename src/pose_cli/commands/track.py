"""``pose track``: predict with one or two models and/or track identities (sleap-nn flags).

Every option but the inputs and models is a field of :class:`pose_app.options.TrackOptions`;
its flags, help and choices come from there (ADR-0095).
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


def track(
    *,
    data_path: Annotated[
        list[str],
        Parameter(name=["--data_path", "-i"], negative="",
                  help="Video, .slp, image folder, or a .txt listing inputs; repeat for several."),
    ],
    model_paths: Annotated[
        list[str] | None,
        Parameter(name=["--model_paths", "-m"], negative="",
                  help="Model folder(s) or export folder; repeat for top-down."),
    ] = None,
    options: Annotated[CliTrackOptions, Parameter(name="*")] = CliTrackOptions(),  # noqa: B008
) -> int:
    """Predict poses with trained models and/or track identities.

    With ``-m`` the models run on the input; with ``-t`` identities are tracked. Without ``-m``
    and with ``-t`` the instances already in a ``.slp`` are re-tracked (track-only mode).
    """
    from pose_cli.run import run_track

    return run_track(data_path, model_paths or [], to_options(TrackOptions, options))
