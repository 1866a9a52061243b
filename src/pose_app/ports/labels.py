"""Reading and writing labels files (``.slp``)."""

from __future__ import annotations

from typing import Protocol

from pose_app.dataset import Dataset, VideoRef
from pose_app.ports.video import FrameSource


class LabelsStore(Protocol):
    def load(self, path: str) -> Dataset: ...

    def save(self, dataset: Dataset, path: str) -> None:
        """Write atomically: the file at ``path`` is either the old one or complete."""
        ...

    def open_video(self, video: VideoRef) -> FrameSource: ...
