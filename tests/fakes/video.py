"""Fake frame sources and video opener (ports: ``FrameSource``, ``VideoOpener``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from pose_app.dataset import VideoRef
from pose_domain.errors import DecodeError, InputNotFoundError

if TYPE_CHECKING:
    from pose_app.ports.video import FrameSource, VideoOpener


class FakeFrameSource:
    """Frames whose pixel value encodes the frame index; optionally undecodable frames.

    Like a real source, a frame outside ``[0, n_frames)`` or listed in ``bad`` cannot be
    decoded: ``read`` raises :class:`DecodeError`, ``iter_frames`` yields None for it.
    """

    def __init__(self, n_frames: int = 10, shape: tuple[int, int, int] = (64, 64, 1),
                 bad: Sequence[int] = (), filename: str = "fake.mp4") -> None:
        self._n = n_frames
        self._shape = shape
        self.bad = set(bad)
        self.filename = filename
        self.read_log: list[int] = []
        self.closed = False

    @property
    def n_frames(self) -> int:
        return self._n

    @property
    def shape(self) -> tuple[int, int, int]:
        return self._shape

    def _decodable(self, frame_idx: int) -> bool:
        return 0 <= frame_idx < self._n and frame_idx not in self.bad

    def read(self, frame_idx: int) -> np.ndarray:
        """``(H, W, C)`` uint8 filled with ``frame_idx % 256``."""
        if not self._decodable(frame_idx):
            raise DecodeError(f"frame {frame_idx} of {self.filename} could not be decoded")
        self.read_log.append(frame_idx)
        return np.full(self._shape, frame_idx % 256, np.uint8)

    def iter_frames(self, frame_indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray | None]]:
        for i in frame_indices:
            yield int(i), (self.read(i) if self._decodable(i) else None)

    def close(self) -> None:
        self.closed = True

    def video_ref(self) -> VideoRef:
        h, w, c = self._shape
        return VideoRef(filename=self.filename, n_frames=self._n, height=h, width=w, channels=c)


class FakeVideoOpener:
    """Opens the fake sources it was given, by path; any other path is missing."""

    def __init__(self, sources: dict[str, FakeFrameSource] | None = None) -> None:
        self.sources = dict(sources or {})
        self.opened: list[str] = []

    def __call__(
        self, path: str, *, dataset: str | None = None, input_format: str = "channels_last"
    ) -> FakeFrameSource:
        if path not in self.sources:
            raise InputNotFoundError(f"video not found: {path}", hint="check the path")
        self.opened.append(path)
        return self.sources[path]


if TYPE_CHECKING:  # mypy checks that the fakes satisfy their ports
    _source: FrameSource = FakeFrameSource()
    _opener: VideoOpener = FakeVideoOpener()
