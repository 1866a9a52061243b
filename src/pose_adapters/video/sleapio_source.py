"""Frame source over a ``sleap_io.Video``.

sleap-io's OpenCV plugin is used for media files because the reference decoded with it; other
decoders differ by whole gray levels, which moves keypoints.

Media files read through OpenCV get three safeguards (ADR-0090):

* the frame count is verified: when the header's last frame cannot be decoded, the real count
  is found by binary search over seeks and used instead (with one warning);
* frames are read forward (``grab``) across small gaps instead of seeking, and a seek that
  lands on the wrong frame (``CAP_PROP_POS_FRAMES`` after the read is not ``index + 1``) turns
  the source to sequential decoding from a reopened capture for the rest of the run;
* a frame that cannot be decoded comes back as ``None`` (the pipeline skips it and lists it in
  the provenance); it never raises.

Frames are converted exactly as sleap-io converts them (BGR to RGB, then the first channel when
the video is grayscale), so they are bit-identical to ``sleap_io.Video[i]``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from pose_app.dataset import VideoRef
from pose_app.formats import MEDIA_EXTENSIONS
from pose_domain.errors import DecodeError, InputNotFoundError, UnsupportedInputError

log = logging.getLogger("pose")

MEDIA_PLUGIN = "opencv"
# OpenCV property ids (cv2.CAP_PROP_POS_FRAMES, cv2.CAP_PROP_FRAME_COUNT): fixed by OpenCV's ABI.
POS_FRAMES = 1
FRAME_COUNT = 7
# Forward gaps up to this many frames are decoded through instead of seeking.
FORWARD_GAP = 32
# Decode failures reported one by one before the rest are only counted.
MAX_DECODE_WARNINGS = 5
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
    if ext in MEDIA_EXTENSIONS:
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


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the media reader uses (a fake in tests)."""

    def get(self, prop: int) -> float: ...

    def set(self, prop: int, value: float) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def grab(self) -> bool: ...

    def release(self) -> None: ...


CaptureOpener = Callable[[str], Capture]


def _open_cv_capture(filename: str) -> Capture:
    import cv2

    cap: Capture = cv2.VideoCapture(filename)
    return cap


class MediaReader:
    """Decodes frames of one media file with OpenCV, robust to bad seeks and bad frames.

    Args:
        filename: The media file.
        grayscale: Whether frames are returned with one channel (sleap-io's detection; None
            detects it on the first frame read, as sleap-io does).
        open_capture: Opens a capture (``cv2.VideoCapture`` by default).
    """

    def __init__(self, filename: str, grayscale: bool | None,
                 open_capture: CaptureOpener | None = None) -> None:
        self.filename = filename
        self.grayscale = grayscale
        self._open_capture = open_capture or _open_cv_capture
        self._cap: Capture | None = None
        self._pos: int | None = 0
        self.sequential = False
        self.seek_misreads = 0

    # -- frame count ------------------------------------------------------------------------
    def verify_count(self, header_count: int) -> int:
        """The number of decodable frames: ``header_count`` when its last frame decodes,
        otherwise the largest ``k`` such that frame ``k - 1`` decodes (binary search)."""
        if header_count <= 0:
            return header_count
        cap = self._open_capture(self.filename)
        try:
            if self._probe(cap, header_count - 1):
                return header_count
            lo, hi = 0, header_count - 1  # frame lo decodes (or is assumed to); hi does not
            if not self._probe(cap, 0):
                return 0
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if self._probe(cap, mid):
                    lo = mid
                else:
                    hi = mid
            return lo + 1
        finally:
            cap.release()

    @staticmethod
    def _probe(cap: Capture, index: int) -> bool:
        try:
            cap.set(POS_FRAMES, index)
            ok, img = cap.read()
        except Exception:
            return False
        return bool(ok) and img is not None

    # -- reading ----------------------------------------------------------------------------
    def read(self, index: int) -> np.ndarray | None:
        """Frame ``index`` as ``(H, W, C)`` uint8 (C is 1 or 3), or None if it cannot be
        decoded."""
        try:
            img = self._read_bgr(index)
        except Exception as exc:  # OpenCV raises on some corrupt streams
            log.debug("frame %d of %s: %s", index, self.filename, exc)
            img = None
        if img is None:
            return None
        return self._convert(img)

    def _reopen(self) -> Capture:
        if self._cap is not None:
            self._cap.release()
        self._cap = self._open_capture(self.filename)
        self._pos = 0
        return self._cap

    def _read_bgr(self, index: int) -> np.ndarray | None:
        # ``_pos`` is the index the next ``read`` returns, counted here rather than asked of
        # OpenCV: after a frame fails to decode, CAP_PROP_POS_FRAMES lags one frame behind.
        cap = self._cap if self._cap is not None else self._reopen()
        pos = self._pos
        forward = pos is not None and 0 <= index - pos <= FORWARD_GAP
        if self.sequential and (pos is None or index < pos):
            cap, pos = self._reopen(), 0
            forward = True
        if forward or self.sequential:
            assert pos is not None
            while pos < index:
                cap.grab()  # a frame that fails to decode is consumed all the same
                pos += 1
            return self._read_next(cap, index)
        cap.set(POS_FRAMES, index)
        self._pos = None
        ok, img = cap.read()
        if not ok or img is None:
            return None
        landed = int(cap.get(POS_FRAMES))
        if landed == index + 1:
            self._pos = index + 1
            return np.asarray(img)
        # The seek landed elsewhere: decode from the start, and stay sequential from now on.
        self.seek_misreads += 1
        if not self.sequential:
            log.warning(
                "seeking in %s landed on frame %d instead of %d; decoding it sequentially "
                "from now on (slower, exact)", self.filename, landed - 1, index,
            )
        self.sequential = True
        return self._read_bgr(index)

    def _read_next(self, cap: Capture, index: int) -> np.ndarray | None:
        ok, img = cap.read()
        self._pos = index + 1
        return np.asarray(img) if ok and img is not None else None

    def _convert(self, img: np.ndarray) -> np.ndarray:
        frame = img[..., ::-1] if img.ndim == 3 else img[..., None]  # BGR -> RGB (sleap-io)
        if self.grayscale is None:
            self.grayscale = bool(np.array_equal(frame[..., 0], frame[..., -1]))
        if self.grayscale:
            frame = frame[..., [0]]
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _media_reader_for(video: Any, open_capture: CaptureOpener | None) -> MediaReader | None:
    """A :class:`MediaReader` when ``video`` is a media file read by sleap-io's OpenCV plugin."""
    backend = getattr(video, "backend", None)
    if type(backend).__name__ != "MediaVideo" or getattr(backend, "plugin", None) != "opencv":
        return None
    if not isinstance(video.filename, str):
        return None
    return MediaReader(video.filename, getattr(backend, "grayscale", None), open_capture)


class SleapIoFrameSource:
    """A :class:`pose_app.ports.video.FrameSource` over a ``sleap_io.Video``.

    Args:
        video: An open ``sleap_io.Video``.
        open_capture: Opens an OpenCV capture for media files (``cv2.VideoCapture`` unless a
            test passes a fake).
    """

    def __init__(self, video: Any, *, open_capture: CaptureOpener | None = None) -> None:
        self.video = video
        shape = video.shape
        if shape is None:
            raise UnsupportedInputError(f"cannot read the shape of video {video.filename}")
        self._n_frames = int(shape[0])
        self._shape = (int(shape[1]), int(shape[2]), int(shape[3]))
        self._media = _media_reader_for(video, open_capture)
        self.decode_failures: list[int] = []
        if self._media is not None:
            self._media.grayscale = self._shape[2] == 1
            counted = self._media.verify_count(self._n_frames)
            if counted != self._n_frames:
                log.warning(
                    "%s: the header says %d frames but only %d can be decoded; using %d",
                    self.filename, self._n_frames, counted, counted,
                )
                self._n_frames = counted

    @property
    def n_frames(self) -> int:
        return self._n_frames

    @property
    def shape(self) -> tuple[int, int, int]:
        return self._shape

    @property
    def filename(self) -> str:
        return str(self.video.filename)

    def _decode(self, frame_idx: int) -> np.ndarray | None:
        if self._media is not None:
            if not 0 <= frame_idx < self._n_frames:
                return None
            return self._media.read(frame_idx)
        try:
            frame = np.asarray(self.video[frame_idx])
        except Exception as exc:
            log.debug("frame %d of %s: %s", frame_idx, self.filename, exc)
            return None
        if frame.ndim == 2:
            frame = frame[..., None]
        return frame

    def _failed(self, frame_idx: int) -> None:
        self.decode_failures.append(frame_idx)
        n = len(self.decode_failures)
        if n <= MAX_DECODE_WARNINGS:
            log.warning("frame %d of %s could not be decoded; skipping it", frame_idx,
                        self.filename)
        if n == MAX_DECODE_WARNINGS:
            log.warning("further undecodable frames of %s are skipped without a warning "
                        "(all are listed in the output's provenance)", self.filename)

    def read(self, frame_idx: int) -> np.ndarray:
        """Frame ``frame_idx`` as ``(H, W, C)`` uint8.

        Raises:
            DecodeError: The frame cannot be decoded.
        """
        frame = self._decode(int(frame_idx))
        if frame is None:
            self._failed(int(frame_idx))
            raise DecodeError(
                f"frame {frame_idx} of {self.filename} could not be decoded",
                hint="the file may be truncated or corrupt; re-encode it or skip the frame",
            )
        return frame

    def iter_frames(self, frame_indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray | None]]:
        """Yield ``(frame_idx, frame)`` in order; ``frame`` is None (after a warning) when the
        frame cannot be decoded: a bad frame is skipped, never fatal."""
        for idx in frame_indices:
            frame = self._decode(int(idx))
            if frame is None:
                self._failed(int(idx))
            yield int(idx), frame

    def video_ref(self) -> VideoRef:
        n, h, w, c = self._n_frames, *self._shape
        return VideoRef(filename=self.filename, n_frames=n, height=h, width=w, channels=c,
                        handle=self.video)

    def close(self) -> None:
        if self._media is not None:
            self._media.close()
        if self.decode_failures:
            log.warning("%d frame(s) of %s could not be decoded and were skipped",
                        len(self.decode_failures), self.filename)
            self.decode_failures = []
        try:
            self.video.close()
        except Exception:  # pragma: no cover - best effort
            pass
