"""Fake labels store (port: ``LabelsStore``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pose_app.dataset import Dataset, VideoRef
from pose_domain.errors import InputNotFoundError
from tests.fakes.video import FakeFrameSource

if TYPE_CHECKING:
    from pose_app.ports.labels import LabelsStore


class InMemoryLabelsStore:
    """Datasets by path; ``save`` makes the dataset loadable at that path (and logs it in
    ``saved``); ``open_video`` returns the fake source registered under the video's filename."""

    def __init__(self, datasets: dict[str, Dataset] | None = None,
                 videos: dict[str, FakeFrameSource] | None = None) -> None:
        self.datasets = datasets if datasets is not None else {}
        self.videos = videos or {}
        self.saved: dict[str, Dataset] = {}

    def load(self, path: str) -> Dataset:
        if path not in self.datasets:
            raise InputNotFoundError(f"labels file not found: {path}", hint="check the path")
        return self.datasets[path]

    def save(self, dataset: Dataset, path: str) -> None:
        self.saved[path] = dataset
        self.datasets[path] = dataset

    def open_video(self, video: VideoRef) -> FakeFrameSource:
        if video.filename not in self.videos:
            raise InputNotFoundError(f"video not found: {video.filename}", hint="check the path")
        return self.videos[video.filename]


if TYPE_CHECKING:
    _store: LabelsStore = InMemoryLabelsStore()
