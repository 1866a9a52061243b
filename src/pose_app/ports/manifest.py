"""The manifest store port of batch runs (ADR-0061, ADR-0120).

The store keeps the JSON-able form of :class:`pose_app.batch.Manifest` (``Manifest.to_dict``);
the use case owns its meaning. ``pose_adapters.manifest.JsonManifestStore`` keeps it in
``<output folder>/pose-manifest.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class ManifestStore(Protocol):
    def load(self) -> dict[str, Any] | None:
        """The last saved manifest, or None when there is none (or it cannot be read)."""
        ...

    def save(self, data: dict[str, Any]) -> None:
        """Write atomically: a reader sees the previous or the new complete manifest."""
        ...

    def update(self, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> None:
        """Read the latest manifest, ``change`` it and save the result, with no other
        ``update`` of the same manifest in between (runs writing into one folder, such as a
        SLURM array, share it; ADR-0143)."""
        ...
