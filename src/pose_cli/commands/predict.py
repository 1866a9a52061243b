"""`pose predict` (being built)."""

from __future__ import annotations


def predict(*args: str) -> int:
    """Not available yet."""
    from pose_domain.errors import PoseRuntimeError

    raise PoseRuntimeError("pose predict is not available in this build yet")
