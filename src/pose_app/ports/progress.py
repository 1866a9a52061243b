"""Progress reporting (rich bar, JSON lines, ``--gui`` lines, or nothing)."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    """Where a run reports how far it is.

    ``at_frame`` and ``saved`` serve the logs of unattended runs (ADR-0134): where the run is
    and how much of it is safe on disk. A reporter that shows neither makes them no-ops.
    """

    def start(self, total: int, description: str = "") -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...

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


class SilentExtras:
    """Mixin: ``at_frame`` and ``saved`` as no-ops, for reporters that show neither."""

    def at_frame(self, frame_idx: int) -> None:
        pass

    def saved(self, n_frames: int) -> None:
        pass
