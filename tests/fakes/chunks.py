"""Fake chunk store (port: ``ChunkStore``): records kept in a dict that outlives the store."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pose_app.ports.chunks import FrameRecord
from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:
    from pose_app.ports.chunks import ChunkStore


class InMemoryChunkStore:
    """Chunks in ``disk`` (a dict a test can share between stores, like a folder between runs).

    ``disk`` holds ``"fingerprint"`` (the JSON form, as the real store compares it) and
    ``"chunks"`` (a list of record lists).
    """

    def __init__(self, disk: dict[str, Any] | None = None) -> None:
        self.disk = disk if disk is not None else {}

    def begin(self, fingerprint: dict[str, Any], resume: bool) -> list[FrameRecord]:
        wanted = json.loads(json.dumps(fingerprint, default=str))
        if resume and "fingerprint" in self.disk:
            if self.disk["fingerprint"] != wanted:
                raise InvalidOptionError(
                    "--resume: the partial run used other inputs or options",
                    hint="rerun with the same flags, or drop --resume to start over",
                )
            return [r for chunk in self.disk["chunks"] for r in chunk]
        self.disk.clear()
        self.disk.update(fingerprint=wanted, chunks=[])
        return []

    def append(self, records: list[FrameRecord]) -> None:
        if records:
            self.disk.setdefault("chunks", []).append(list(records))

    def clear(self) -> None:
        self.disk.clear()


if TYPE_CHECKING:
    _chunks: ChunkStore = InMemoryChunkStore()
