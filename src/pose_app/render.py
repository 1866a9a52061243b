"""``pose render``: an overlay video of tracked poses (skeleton, nodes, one colour per track,
optional trails and frame numbers), drawn by sleap-io's renderer behind a port."""

from __future__ import annotations

import os

import attrs

from pose_app.dataset import Dataset
from pose_app.ports.labels import LabelsStore
from pose_app.ports.progress import NullProgress, ProgressReporter
from pose_app.ports.qc import OverlayRenderer, OverlayStyle, PathChecker
from pose_app.qc import locate_video, video_not_found
from pose_domain.errors import InvalidOptionError, UnsupportedInputError
from pose_domain.frames import resolve_frames


@attrs.frozen(kw_only=True)
class RenderRequest:
    """Attributes:
    predictions_path: ``.slp`` with poses (tracked or not).
    output_path: Video to write (``.mp4``).
    video_path: The video, when not where the ``.slp`` says.
    frames: ``--frames`` expression (inclusive ranges); None = every frame of the video.
    video_index: Which video of the labels file.
    style: Drawing options.
    """

    predictions_path: str
    output_path: str
    video_path: str | None = None
    frames: str | None = None
    video_index: int = 0
    style: OverlayStyle = attrs.field(factory=OverlayStyle)


@attrs.frozen(kw_only=True)
class RenderResult:
    output_path: str
    n_frames: int
    video_path: str
    skipped: tuple[int, ...] = ()


def _frame_count(dataset: Dataset, video_index: int) -> int:
    n = dataset.videos[video_index].n_frames
    if n > 0:
        return n
    idx = [f.frame_idx for f in dataset.frames if f.video_index == video_index]
    return max(idx) + 1 if idx else 0


@attrs.define
class RenderUseCase:
    loader: LabelsStore
    renderer: OverlayRenderer
    progress: ProgressReporter = attrs.field(factory=NullProgress)
    exists: PathChecker = os.path.exists

    def run(self, request: RenderRequest) -> RenderResult:
        """Render ``request`` (see :class:`RenderRequest`).

        Raises:
            InputNotFoundError: the labels file or the video cannot be found.
            FrameSelectionError: ``frames`` is malformed or outside the video.
            UnsupportedInputError: the labels file has no video.
        """
        if request.style.trails < 0:
            raise InvalidOptionError(f"--trails must be >= 0, got {request.style.trails}")
        if not request.style.scale > 0:
            raise InvalidOptionError(f"--scale must be positive, got {request.style.scale}")
        dataset = self.loader.load(request.predictions_path)
        vi = request.video_index
        if not 0 <= vi < len(dataset.videos):
            raise UnsupportedInputError(
                f"{request.predictions_path} has no video {vi} "
                f"({len(dataset.videos)} video(s))",
                hint="pick a video with --video_index",
            )
        path, tried = locate_video(dataset, vi, request.video_path, self.exists)
        if path is None:
            raise video_not_found(tried, vi)
        n = self.renderer.count_frames(path) or _frame_count(dataset, vi)
        frames, outside = resolve_frames(request.frames, n)
        written = self.renderer.render(dataset, vi, path, frames, request.output_path,
                                       request.style, self.progress)
        return RenderResult(output_path=request.output_path, n_frames=written, video_path=path,
                            skipped=tuple(outside))
