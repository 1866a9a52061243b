"""What the QC report and the overlay video need from the outside: thumbnails, writing the
report, rendering a video (all through sleap-io's renderer in production)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from pose_app.dataset import Dataset
from pose_app.ports.progress import ProgressReporter
from pose_domain.qc import QcReport


@attrs.frozen(kw_only=True)
class Shot:
    """A thumbnail to draw: the animals of ``tracks`` at ``frame_idx`` (all when empty), and
    at ``before`` (the frame before the event) beside it, both in one crop.

    Attributes:
        frame_idx: The event's frame ("after").
        tracks: Tracks whose instances the crop holds.
        before: The frame shown before the event (None: only ``frame_idx``).
        min_side: Smallest crop side, px (a readable scale: a few body lengths).
        max_side: Largest crop side, px (0: the frame); animals farther apart than this
            are cropped around the first track's pose at ``frame_idx``.
    """

    frame_idx: int
    tracks: tuple[str, ...] = ()
    before: int | None = None
    min_side: float = 0.0
    max_side: float = 0.0


class ThumbnailRenderer(Protocol):
    def render(
        self, dataset: Dataset, video_index: int, video_path: str, shots: Sequence[Shot]
    ) -> list[bytes | None]:
        """Encoded images (PNG/JPEG bytes), one per shot (None where it cannot be drawn).

        Raises:
            InputNotFoundError: the video cannot be opened.
        """
        ...


class ReportWriter(Protocol):
    def write(
        self,
        output_dir: str,
        document: Mapping[str, Any],
        reports: Sequence[QcReport],
        thumbnails: Mapping[int, bytes],
    ) -> list[str]:
        """Write ``qc.json`` (``document``) and ``index.html`` into ``output_dir``.

        ``thumbnails`` maps an index into ``document["events"]`` to its image. Returns the
        written paths.

        Raises:
            OutputWriteError: the folder or a file cannot be written.
        """
        ...

    def read_previous(self, path: str) -> Mapping[str, Any]:
        """The document of an earlier report (its ``qc.json``, or the folder holding it).

        Raises:
            InputNotFoundError: no such file or folder.
            UnsupportedInputError: not a ``qc.json`` of ``pose qc``.
        """
        ...


@attrs.frozen(kw_only=True)
class OverlayStyle:
    """How ``pose render`` draws (sleap-io's renderer does the drawing).

    Attributes:
        trails: Frames of motion trail behind each animal (0 = none).
        frame_numbers: Write the frame index in a corner.
        marker_size: Node radius, px.
        line_width: Edge width, px.
        scale: Output scale factor.
        crf: x264 quality (lower = better).
    """

    trails: int = 0
    frame_numbers: bool = True
    marker_size: float = 4.0
    line_width: float = 2.0
    scale: float = 1.0
    crf: int = 25


class OverlayRenderer(Protocol):
    def count_frames(self, video_path: str) -> int:
        """Frames in the video (0 when unknown).

        Raises:
            InputNotFoundError: the video cannot be opened.
        """
        ...

    def render(
        self,
        dataset: Dataset,
        video_index: int,
        video_path: str,
        frames: Sequence[int],
        output_path: str,
        style: OverlayStyle,
        progress: ProgressReporter,
    ) -> int:
        """Write an overlay video of ``frames``; return the number of frames written.

        Raises:
            InputNotFoundError: the video cannot be opened.
            OutputWriteError: the output cannot be written.
        """
        ...


#: ``path -> True`` when it names an existing file or folder (``os.path.exists``).
PathChecker = Callable[[str], bool]
