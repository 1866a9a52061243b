"""In-memory datasets: videos plus labeled frames, independent of the ``.slp`` format."""

from __future__ import annotations

from typing import Any

import attrs

from pose_domain.instance import LabeledFrame, Track
from pose_domain.skeleton import Skeleton


@attrs.define(eq=False, kw_only=True)
class VideoRef:
    """A video the dataset refers to.

    Attributes:
        filename: Path (or list of image paths joined) as stored.
        n_frames: Frame count (0 if unknown).
        height, width, channels: Frame shape (0 if unknown).
        handle: Adapter-owned object (e.g. a ``sleap_io.Video``): typed ``object`` so the app
            cannot use it; the adapter that reads it checks its type first.
    """

    filename: str
    n_frames: int = 0
    height: int = 0
    width: int = 0
    channels: int = 0
    handle: object = None


@attrs.define(eq=False, kw_only=True)
class Suggestion:
    video_index: int
    frame_idx: int


@attrs.define(eq=False, kw_only=True)
class Dataset:
    """Videos, a skeleton and labeled frames (what an ``.slp`` holds).

    Attributes:
        handle: Adapter-owned original object (e.g. ``sleap_io.Labels``), kept so that a writer
            can preserve what the app does not model (user instances, suggestions, metadata);
            typed ``object``, like ``VideoRef.handle``.
        run_frames: ``(video_index, frame_idx)`` of every frame the run that made this
            dataset went through, empty ones included (None: not a run's result). Formats with
            one row per frame (NWB, DeepLabCut) cover them all.
    """

    videos: list[VideoRef] = attrs.field(factory=list)
    skeleton: Skeleton | None = None
    frames: list[LabeledFrame] = attrs.field(factory=list)
    tracks: list[Track] = attrs.field(factory=list)
    suggestions: list[Suggestion] = attrs.field(factory=list)
    provenance: dict[str, Any] = attrs.field(factory=dict)
    source_path: str | None = None
    handle: object = None
    run_frames: list[tuple[int, int]] | None = None
