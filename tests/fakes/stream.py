"""Fakes of the live ports (``FrameStream``, ``FrameSink``): a camera SDK stand-in and a sink
that keeps what it is given."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from pose_domain.instance import LabeledFrame

if TYPE_CHECKING:
    from pose_app.ports.stream import FrameSink, FrameStream


class FakeCamera:
    """A camera SDK stand-in: ``grab()`` returns the next frame or None at the end; iterating
    grabs until then. ``closed`` records that the device was released."""

    def __init__(self, frames: Sequence[np.ndarray]) -> None:
        self.frames = list(frames)
        self.grabbed = 0
        self.closed = False

    def grab(self) -> np.ndarray | None:
        if self.closed or self.grabbed >= len(self.frames):
            return None
        frame = self.frames[self.grabbed]
        self.grabbed += 1
        return frame

    def __iter__(self) -> Iterator[np.ndarray]:
        while (frame := self.grab()) is not None:
            yield frame

    def close(self) -> None:
        self.closed = True


class CollectingSink:
    """Keeps every frame it is given, in order."""

    def __init__(self) -> None:
        self.frames: list[LabeledFrame] = []

    def __call__(self, frame: LabeledFrame) -> None:
        self.frames.append(frame)


if TYPE_CHECKING:
    _stream: FrameStream = FakeCamera([])
    _sink: FrameSink = CollectingSink()
