"""In-memory inputs as :class:`pose_app.ports.video.FrameSource` / ``LabelsStore`` adapters.

They let the Python API run the unchanged prediction use case on numpy arrays, on a caller's
``sleap_io.Video`` (left open afterwards) and on a ``sleap_io.Labels`` (no temporary file):
the composition root passes them as ``Overrides(open_video=..., labels_store=...)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from pose_adapters.slp.store import SlpLabelsStore, dataset_from_labels
from pose_adapters.video.sleapio_source import SleapIoFrameSource
from pose_app.dataset import Dataset, VideoRef
from pose_app.ports.video import FrameSource, VideoOpener

#: What the API passes as ``data_path`` for an in-memory input (no file behind it).
ARRAY_NAME = "<array>"
#: ``data_path`` of an in-memory ``sleap_io.Labels`` (ends in .slp: the labels route).
LABELS_NAME = "<labels>.slp"


class ArrayFrameSource:
    """Frames of an ``(N, H, W, C)`` uint8 array, indices ``0..N-1``.

    Args:
        frames: ``(N, H, W, C)`` uint8 (not copied).
        name: The video's filename in outputs.
    """

    def __init__(self, frames: np.ndarray, name: str = ARRAY_NAME) -> None:
        if frames.ndim != 4:
            raise ValueError(f"expected (N, H, W, C) frames, got {frames.shape}")
        self.frames = frames
        self.name = name

    @property
    def n_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def shape(self) -> tuple[int, int, int]:
        _, h, w, c = self.frames.shape
        return int(h), int(w), int(c)

    def read(self, frame_idx: int) -> np.ndarray:
        return self.frames[int(frame_idx)]

    def iter_frames(self, frame_indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray | None]]:
        for idx in frame_indices:
            i = int(idx)
            yield i, self.frames[i] if 0 <= i < self.n_frames else None

    def close(self) -> None:
        pass

    def video_ref(self) -> VideoRef:
        h, w, c = self.shape
        return VideoRef(filename=self.name, n_frames=self.n_frames, height=h, width=w,
                        channels=c)


class BorrowedVideoSource(SleapIoFrameSource):
    """A caller's ``sleap_io.Video``: read like any video, but left open by :meth:`close`."""

    def close(self) -> None:
        if self._media is not None:
            self._media.close()


def opener_for(source: FrameSource) -> VideoOpener:
    """A video opener that returns ``source`` whatever path it is asked for."""

    def open_video(path: str, *, dataset: str | None = None,
                   input_format: str = "channels_last") -> FrameSource:
        return source

    return open_video


class InMemoryLabelsStore:
    """A ``LabelsStore`` whose :meth:`load` returns one ``sleap_io.Labels`` already in memory
    (videos are opened and outputs saved as ``.slp`` files are)."""

    def __init__(self, labels: Any) -> None:
        self.labels = labels
        self._files = SlpLabelsStore()

    def load(self, path: str) -> Dataset:
        return dataset_from_labels(self.labels, source_path=None)

    def save(self, dataset: Dataset, path: str) -> None:
        self._files.save(dataset, path)

    def open_video(self, video: VideoRef) -> FrameSource:
        source: FrameSource = self._files.open_video(video)
        return source


def video_source(video: Any) -> FrameSource:
    """A frame source over a caller's open ``sleap_io.Video``."""
    return BorrowedVideoSource(video)
