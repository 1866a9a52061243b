"""Fake progress reporter (port: ``ProgressReporter``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pose_app.ports.progress import ProgressReporter


class RecordingProgress:
    """Records what it was told: ``runs`` holds ``(description, total)`` per ``start``;
    ``done`` counts the current run's advances; ``finished`` counts ``finish`` calls."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, int]] = []
        self.total = 0
        self.done = 0
        self.finished = 0
        self.frames: list[int] = []
        self.saved_counts: list[int] = []

    def start(self, total: int, description: str = "") -> None:
        self.runs.append((description, total))
        self.total, self.done = total, 0

    def advance(self, n: int = 1) -> None:
        self.done += n

    def finish(self) -> None:
        self.finished += 1

    def at_frame(self, frame_idx: int) -> None:
        self.frames.append(frame_idx)

    def saved(self, n_frames: int) -> None:
        self.saved_counts.append(n_frames)


if TYPE_CHECKING:
    _progress: ProgressReporter = RecordingProgress()
