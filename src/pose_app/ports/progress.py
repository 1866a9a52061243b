"""Progress reporting (rich bar, JSON lines, or nothing)."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    def start(self, total: int, description: str = "") -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    """Reports nothing."""

    def start(self, total: int, description: str = "") -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass
