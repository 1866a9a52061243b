"""Live sources: a camera index (``-i 0``) or a stream URL, read with OpenCV (ADR-0137).

Frames come as they arrive (no seeking, no known length), converted BGR → RGB as sleap-io
converts media frames. The stream ends when the capture stops delivering, after ``max_frames``
frames, or when the caller stops iterating.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from typing import Any, Protocol

import numpy as np

from pose_domain.errors import InputNotFoundError

#: Stream URL schemes OpenCV (FFmpeg / GStreamer) opens.
STREAM_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://",
                  "srt://")


class LiveCapture(Protocol):
    """What is used of ``cv2.VideoCapture``."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


CaptureOpener = Callable[[int | str], LiveCapture]


def is_live_source(value: str) -> bool:
    """Whether an ``-i`` value names a camera index or a stream URL (not a file)."""
    return bool(re.fullmatch(r"\d+", value.strip())) or value.lower().startswith(STREAM_SCHEMES)


def _open_cv(target: int | str) -> LiveCapture:
    import cv2

    cap: LiveCapture = cv2.VideoCapture(target)
    return cap


def live_frames(
    source: str,
    *,
    max_frames: int | None = None,
    open_capture: CaptureOpener | None = None,
) -> Generator[np.ndarray, None, None]:
    """Frames ``(H, W, 3)`` uint8 RGB of a camera (``"0"``) or stream URL, as they arrive.

    Args:
        source: A camera index as text, or a stream URL.
        max_frames: Stop after this many frames (None: until the stream ends).
        open_capture: Opens the capture (``cv2.VideoCapture`` unless a test passes a fake).

    Raises:
        InputNotFoundError: The camera or stream cannot be opened.
    """
    target: int | str = int(source) if source.strip().isdigit() else source
    cap = (open_capture or _open_cv)(target)
    try:
        if not cap.isOpened():
            raise InputNotFoundError(
                f"cannot open live source {source}",
                hint="check the camera index (0, 1…) or the stream URL",
            )
        count = 0
        while max_frames is None or count < max_frames:
            ok, bgr = cap.read()
            if not ok or bgr is None:
                return
            count += 1
            frame = np.asarray(bgr)
            yield frame[..., ::-1].copy() if frame.ndim == 3 and frame.shape[2] == 3 else frame
    finally:
        cap.release()
