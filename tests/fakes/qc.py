"""Fakes for the QC and render use cases (ports: ``ReportWriter``, ``ThumbnailRenderer``,
``OverlayRenderer``): they record what they were asked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pose_app.dataset import Dataset
from pose_app.ports.progress import ProgressReporter
from pose_app.ports.qc import OverlayStyle, Shot
from pose_domain.qc import QcReport

if TYPE_CHECKING:
    from pose_app.ports.qc import OverlayRenderer, ReportWriter, ThumbnailRenderer


class FakeWriter:
    def __init__(self, previous: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.calls: list[
            tuple[str, Mapping[str, Any], Sequence[QcReport], Mapping[int, bytes]]] = []
        self.previous = dict(previous or {})

    def read_previous(self, path: str) -> Mapping[str, Any]:
        from pose_domain.errors import InputNotFoundError

        if path not in self.previous:
            raise InputNotFoundError(f"earlier report not found: {path}")
        return self.previous[path]

    def write(self, output_dir: str, document: Mapping[str, Any],
              reports: Sequence[QcReport], thumbnails: Mapping[int, bytes]) -> list[str]:
        self.calls.append((output_dir, document, reports, thumbnails))
        self.previous[output_dir] = self.previous[f"{output_dir}/qc.json"] = document
        return [f"{output_dir}/qc.json", f"{output_dir}/index.html"]


class FakeThumbs:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def render(self, dataset: Dataset, video_index: int, video_path: str,
               shots: Sequence[Shot]) -> list[bytes | None]:
        self.paths.append(video_path)
        return [f"{s.frame_idx}:{','.join(s.tracks)}".encode() for s in shots]


class FakeRenderer:
    def __init__(self, n_frames: int = 60) -> None:
        self.n_frames = n_frames
        self.calls: list[tuple[str, list[int], str, OverlayStyle]] = []

    def count_frames(self, video_path: str) -> int:
        return self.n_frames

    def render(self, dataset: Dataset, video_index: int, video_path: str,
               frames: Sequence[int], output_path: str, style: OverlayStyle,
               progress: ProgressReporter) -> int:
        self.calls.append((video_path, list(frames), output_path, style))
        return len(frames)


if TYPE_CHECKING:
    _writer: ReportWriter = FakeWriter()
    _thumbs: ThumbnailRenderer = FakeThumbs()
    _renderer: OverlayRenderer = FakeRenderer()
