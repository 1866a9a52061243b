"""The batch manifest on disk: ``<output folder>/pose-manifest.json`` (ADR-0061)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

from pose_adapters._files import write_text_durably
from pose_domain.errors import OutputWriteError


class JsonManifestStore:
    """:class:`pose_app.ports.manifest.ManifestStore`: a JSON file replaced atomically on each
    save.

    Only drivers write it (tasks report back to their driver); readers see either the previous
    or the new complete file, also after a power loss (ADR-0132). Drivers of runs writing into
    the same folder (a SLURM array) each :meth:`update` it under an exclusive ``flock`` on
    ``<manifest>.lock``, so none loses another's entries (ADR-0143).
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

    def update(self, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> None:
        with self._locked():
            self.save(change(self.load()))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        try:
            fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputWriteError(
                f"cannot lock the manifest {self.path}: {exc.strerror or exc}",
                hint="check that the output folder is writable",
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held for one read-change-write: milliseconds
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def save(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=1, sort_keys=True, default=str)
        try:  # temp file, fsync, rename, fsync folder (ADR-0132)
            write_text_durably(self.path, text, prefix=".pose-manifest-")
        except OSError as exc:
            raise OutputWriteError(
                f"cannot write the manifest {self.path}: {exc.strerror or exc}",
                hint="check that the output folder is writable",
            ) from exc
