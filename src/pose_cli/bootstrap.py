"""The composition root: builds adapters and hands them to the use cases.

Nothing else in the code base instantiates adapters for the use cases; tests build the same
graph with fakes.
"""

from __future__ import annotations

from typing import Any

from pose_domain.errors import InvalidOptionError


def run_track_command(args: dict[str, Any]) -> int:
    """``pose track``: prediction and/or tracking, per input."""
    if not args.get("model_paths") and not args.get("tracking"):
        raise InvalidOptionError(
            "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
        )
    if not args.get("model_paths"):
        from pose_cli.track_only import run_track_only

        return run_track_only(args)
    raise InvalidOptionError("pose track is not wired yet")
