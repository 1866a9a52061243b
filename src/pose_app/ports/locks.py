"""One writer per output (ADR-0130): the lock a use case holds while it writes an output."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol


class OutputLocks(Protocol):
    def hold(self, output_path: str) -> contextlib.AbstractContextManager[None]:
        """Hold the exclusive lock on ``output_path`` (and its ``.partial`` / ``.chunks``
        folders) for the ``with`` block; raise ``OutputLockedError`` at once when another run
        holds it."""
        ...


class NoLocks:
    """Locks nothing (library use and tests that do not exercise locking)."""

    @contextlib.contextmanager
    def hold(self, output_path: str) -> Iterator[None]:
        yield
