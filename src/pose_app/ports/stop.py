"""Stop on request: the CLI sets a token on SIGTERM / SIGINT; the use case polls it.

When set, a prediction run stops reading new frames, finishes the batch in flight, persists
every predicted frame to its chunk store and raises :class:`pose_domain.errors.RunInterrupted`
(``--resume`` continues from there).
"""

from __future__ import annotations

import threading
from typing import Protocol


class StopToken(Protocol):
    def is_set(self) -> bool:
        """True once a stop was requested (safe to call from any thread)."""
        ...

    def polled(self) -> None:
        """Called by a use case (or the Ray driver) once it polls the token: from then on a
        stop request only sets it (the CLI's token aborts at once before that, ADR-0131)."""
        ...


class NeverStop:
    """A token that is never set (the default: runs go to the end)."""

    def is_set(self) -> bool:
        return False

    def polled(self) -> None:
        pass


class StopFlag:
    """A token set by calling :meth:`set` (e.g. from a signal handler); thread-safe."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def polled(self) -> None:
        pass
