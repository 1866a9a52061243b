"""What batch planning must know about an input before any job runs (ADR-0141): a video's
frame count and which frames a ``.slp`` holds. ``pose_adapters.inspect.FileInspector`` reads
both from files (video readers, HDF5); ``tests.fakes.batch.FakeInspector`` from a dict."""

from __future__ import annotations

from typing import Protocol


class InputInspector(Protocol):
    def n_frames(self, path: str, *, dataset: str | None = None,
                 input_format: str = "channels_last") -> int:
        """Frames of a video input."""
        ...

    def labeled_frames(self, path: str, video_index: int | None) -> tuple[list[int], int]:
        """Sorted frame indices of one video's labeled frames in a ``.slp`` (every video's
        when ``video_index`` is None and the file holds several), and its number of videos."""
        ...
