"""`pose export` (being built)."""

from __future__ import annotations


def export(*args: str) -> int:
    """Not available yet."""
    from pose_domain.errors import PoseRuntimeError

    raise PoseRuntimeError("pose export is not available in this build yet")
