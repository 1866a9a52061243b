"""`pose evaluate` (being built)."""

from __future__ import annotations


def evaluate(*args: str) -> int:
    """Not available yet."""
    from pose_domain.errors import PoseRuntimeError

    raise PoseRuntimeError("pose evaluate is not available in this build yet")
