"""Frame source over a ``sleap_io.Video``.

sleap-io's OpenCV plugin is used for media files because the reference decoded with it; other
decoders differ by whole gray levels, which moves keypoints.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from pose_app.dataset import VideoRef
from pose_domain.errors import InputNotFoundError, UnsupportedInputError

log = logging.getLogger(__name__)

MEDIA_PLUGIN = "opencv"
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def open_video_file(
    path: str,
    *,
    dataset: str | None = None,
    input_format: str = "channels_last",
) -> SleapIoFrameSource:
    """Open a video file, HDF5 video or image folder with sleap-io."""
    import sleap_io as sio

    if isinstance(path, str) and not os.path.exists(path):
        raise InputNotFoundError(f"video not found: {path}", hint="check the path")
    kwargs: dict[str, Any] = {}
    if dataset:
        kwargs["dataset"] = dataset
        kwargs["input_format"] = input_format
    if os.path.isdir(path):
        images = sorted(
            os.path.join(path, f) for f in os.listdir(path)
            if os.path.splitext(f)[1].lower() in IMAGE_EXTS
        )
        if not images:
            raise UnsupportedInputError(
                f"folder {path} has no images", hint=f"expected {', '.join(sorted(IMAGE_EXTS))}"
            )
        path = images  # type: ignore[assignment]
    ext = os.path.splitext(str(path))[1].lower() if isinstance(path, str) else ""
    if ext in {".mp4", ".avi", ".mov", ".mkv", ".mpg", ".mpeg", ".webm", ".m4v", ".wmv"}:
        kwargs["plugin"] = MEDIA_PLUGIN
    try:
        video = sio.Video.from_filename(path, **kwargs)
        shape = video.shape
    except Exception as exc:
        shown = path if isinstance(path, str) else os.path.dirname(path[0])
        raise UnsupportedInputError(
            f"cannot open video {shown}: {exc}", hint="is it a readable video file?"
        ) from exc
    if shape is None or shape[0] == 0:
        raise UnsupportedInputError(f"video {path} has no frames", hint="check the file")
    return SleapIoFrameSource(video)


class SleapIoFrameSource:
    """A :class:`pose_app.ports.video.FrameSource` over a ``sleap_io.Video``."""

    def __init__(self, video: Any) -> None:
        self.video = video
        shape = video.shape
        if shape is None:
            raise UnsupportedInputError(f"cannot read the shape of video {video.filename}")
        self._n_frames = int(shape[0])
        self._shape = (int(shape[1]), int(shape[2]), int(shape[3]))

    @property
    def n_frames(self) -> int:
        return self._n_frames

    @property
    def shape(self) -> tuple[int, int, int]:
        return self._shape

    @property
    def filename(self) -> str:
        return str(self.video.filename)

    def read(self, frame_idx: int) -> np.ndarray:
        frame = np.asarray(self.video[frame_idx])
        if frame.ndim == 2:
            frame = frame[..., None]
        return frame

    def iter_frames(self, frame_indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray | None]]:
        for idx in frame_indices:
            try:
                frame = self.read(int(idx))
            except Exception as exc:  # a frame that cannot be decoded is skipped, not fatal
                log.warning("frame %d of %s could not be decoded: %s", idx, self.filename, exc)
                yield int(idx), None
                continue
            yield int(idx), frame

    def video_ref(self) -> VideoRef:
        n, h, w, c = self._n_frames, *self._shape
        return VideoRef(filename=self.filename, n_frames=n, height=h, width=w, channels=c,
                        handle=self.video)

    def close(self) -> None:
        try:
            self.video.close()
        except Exception:  # pragma: no cover - best effort
            pass
