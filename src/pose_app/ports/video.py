"""Frame sources: decoded frames, exactly as sleap-io decodes them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np

from pose_app.dataset import VideoRef


class FrameSource(Protocol):
    """One video (or image sequence).

    Frames are ``(H, W, C)`` uint8 arrays.
    """

    @property
    def n_frames(self) -> int: ...

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(H, W, C)`` of a frame."""
        ...

    def read(self, frame_idx: int) -> np.ndarray: ...

    def iter_frames(self, frame_indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray | None]]:
        """Yield ``(frame_idx, frame)`` in order; ``frame`` is None when it cannot be decoded."""
        ...

    def close(self) -> None: ...

    def video_ref(self) -> VideoRef:
        """The video as a dataset entry (for writing outputs)."""
        ...


class VideoOpener(Protocol):
    def __call__(
        self, path: str, *, dataset: str | None = None, input_format: str = "channels_last"
    ) -> FrameSource:
        """Open a video file, HDF5 video or image folder."""
        ...
