"""Progress reporting (rich bar, JSON lines, or nothing)."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    def start(self, total: int, description: str = "") -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class FrameProgress(Protocol):
    """Optional extras of a reporter, for logs of unattended runs (ADR-0134): where the run is
    and how much of it is safe on disk. Feeders check for them with ``hasattr``."""

    def at_frame(self, frame_idx: int) -> None:
        """The frame index just finished (frame order)."""
        ...

    def saved(self, n_frames: int) -> None:
        """Frames persisted so far (restored by ``--resume``), a running total."""
        ...


class NullProgress:
    """Reports nothing."""

    def at_frame(self, frame_idx: int) -> None:
        pass

    def saved(self, n_frames: int) -> None:
        pass

    def start(self, total: int, description: str = "") -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass
