"""Fake file formats (ports: ``OutputFormat``, ``InputKind``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pose_app.dataset import Dataset
from pose_app.ports.formats import WriteContext
from pose_domain.errors import UnsupportedInputError

if TYPE_CHECKING:
    from pose_app.ports.formats import InputKind, OutputFormat


class JsonFramesFormat:
    """Writes ``{"frames": [[video, frame, n_instances], ...]}``; remembers each write."""

    name = "json_frames"
    suffix = ".frames.json"
    description = "frame list as JSON (test fake)"

    def __init__(self) -> None:
        self.written: list[tuple[str, WriteContext]] = []

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        rows = [[f.video_index, f.frame_idx, len(f.instances)] for f in dataset.frames]
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"frames": rows}, fh)
        self.written.append((path, context))


class SuffixKind:
    """Recognises paths ending in ``suffix``; ``check`` refuses those named in ``bad``."""

    def __init__(self, suffix: str, bad: tuple[str, ...] = ()) -> None:
        self.name = f"{suffix} input"
        self.description = f"anything ending in {suffix} (test fake)"
        self.suffix = suffix
        self.bad = bad

    def recognises(self, path: str) -> bool:
        return path.endswith(self.suffix)

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        if path in self.bad:
            raise UnsupportedInputError(f"{path} is unreadable (fake)")


if TYPE_CHECKING:
    _format: OutputFormat = JsonFramesFormat()
    _kind: InputKind = SuffixKind(".x")
