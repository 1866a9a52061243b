"""The batch manifest on disk: ``<output folder>/pose-manifest.json`` (ADR-0061)."""

from __future__ import annotations

import json
from typing import Any

from pose_adapters._files import write_text_durably
from pose_domain.errors import OutputWriteError


class JsonManifestStore:
    """:class:`pose_app.ports.manifest.ManifestStore`: a JSON file replaced atomically on each
    save.

    Only the driver of a batch writes it (tasks report back to the driver), so there is one
    writer; readers see either the previous or the new complete file, also after a power loss
    (ADR-0132).
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        """The saved manifest, or None when there is none (or it is unreadable)."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a damaged manifest means "nothing known": outputs are re-checked
        return data if isinstance(data, dict) else None

    def save(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=1, sort_keys=True, default=str)
        try:  # temp file, fsync, rename, fsync folder (ADR-0132)
            write_text_durably(self.path, text, prefix=".pose-manifest-")
        except OSError as exc:
            raise OutputWriteError(
                f"cannot write the manifest {self.path}: {exc.strerror or exc}",
                hint="check that the output folder is writable",
            ) from exc
