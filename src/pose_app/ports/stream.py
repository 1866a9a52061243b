"""Live frames in, per-frame results out (ADR-0141).

A :class:`FrameStream` is a source that cannot be seeked or counted: a camera, a stream URL, a
camera SDK, a Python generator. A :class:`FrameSink` receives every frame's predictions as soon
as they are made: a callback, a publisher over a socket, a GUI.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

from pose_domain.instance import LabeledFrame


class FrameStream(Protocol):
    """Frames ``(H, W, C)`` or ``(H, W)`` uint8, in order, read once."""

    def __iter__(self) -> Iterator[np.ndarray]: ...

    def close(self) -> None:
        """Release the device or connection (called once, also after a stop or an error)."""
        ...


class FrameSink(Protocol):
    """Called with each frame's predictions (tracked when tracking is on), in frame order,
    empty frames included; runs on the predicting thread, so it should return quickly."""

    def __call__(self, frame: LabeledFrame) -> None: ...


class IterableStream:
    """:class:`FrameStream` over any iterable of frames (closing does nothing)."""

    def __init__(self, frames: object) -> None:
        self.frames = frames

    def __iter__(self) -> Iterator[np.ndarray]:
        yield from self.frames  # type: ignore[misc]

    def close(self) -> None:
        pass
