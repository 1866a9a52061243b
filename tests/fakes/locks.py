"""Fake output locks (port: ``OutputLocks``): an in-process registry of held outputs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pose_domain.errors import OutputLockedError

if TYPE_CHECKING:
    from pose_app.ports.locks import OutputLocks


class MemoryLocks:
    """Locks shared by every use case given the same instance; ``taken`` logs each hold."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.taken: list[str] = []

    @contextlib.contextmanager
    def hold(self, output_path: str) -> Iterator[None]:
        if output_path in self.held:
            raise OutputLockedError(f"another run is writing {output_path}",
                                    hint="wait for it to finish or choose another -o")
        self.held.add(output_path)
        self.taken.append(output_path)
        try:
            yield
        finally:
            self.held.discard(output_path)


if TYPE_CHECKING:
    _locks: OutputLocks = MemoryLocks()
