"""Frame selection as a pure function: which ``(video, frame)`` pairs a run processes.

The rules are the reference ``track``'s (parity notes §4.2–4.3): on a video every frame (or
``--frames``); on a labels file its labeled frames, filtered by the ``--only_*`` /
``--exclude_user_labeled`` flags and then indexed by ``--frames``, or every frame of one video
with ``--video_index``.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from pose_app.dataset import Dataset
from pose_app.options import FrameSelection
from pose_domain.errors import FrameSelectionError, InvalidOptionError, UnsupportedInputError
from pose_domain.frames import resolve_frames
from pose_domain.instance import LabeledFrame


@attrs.frozen
class FrameItem:
    """One frame to process; ``labeled`` is the input's frame there (labels inputs only)."""

    video_index: int
    frame_idx: int
    labeled: LabeledFrame | None = None


@attrs.frozen
class SelectedFrames:
    """The frames of a run, in processing order.

    Attributes:
        items: The frames.
        method: How they were chosen, for the provenance: ``all``, ``specified``,
            ``labeled``, ``suggested`` or ``predicted``.
        outside: How many ``--frames`` indices lay past the end (skipped, worth a warning).
    """

    items: list[FrameItem]
    method: str
    outside: int = 0


def select_video_frames(frames_spec: str, n_frames: int) -> SelectedFrames:
    """Frames of a video of ``n_frames`` frames: all, or those ``--frames`` names.

    Raises:
        FrameSelectionError: ``--frames`` is malformed or selects no frame of the video.
    """
    indices, outside = resolve_frames(frames_spec, n_frames)
    return SelectedFrames(items=[FrameItem(0, i) for i in indices],
                          method="specified" if frames_spec else "all", outside=len(outside))


def select_labeled_frames(
    labels: Dataset,
    selection: FrameSelection,
    frames_spec: str,
    *,
    gt_mode: bool,
    n_frames: Callable[[int], int],
    source_name: str = "the labels",
) -> SelectedFrames:
    """Frames of a labels file to process.

    Args:
        labels: What the file holds (videos, labeled frames, suggestions).
        selection: The frame filters and ``--video_index``.
        frames_spec: ``--frames`` (frame indices with ``--video_index``, else positions in the
            filtered list of labeled frames).
        gt_mode: Centroids come from the labels (a lone centered-instance model): only frames
            with instances, and ``--video_index`` filters labeled frames instead of giving
            every frame of the video.
        n_frames: Frame count of video ``i`` (only asked for ``--video_index``, not GT mode).
        source_name: The input's name in error messages.

    Raises:
        InvalidOptionError: ``--video_index`` is out of range.
        UnsupportedInputError: The file has no labeled frames and no ``--video_index``.
        FrameSelectionError: Nothing matches the selection.
    """
    sel = selection
    vi = sel.video_index
    n_videos = len(labels.videos)
    if vi is not None and not 0 <= vi < n_videos:
        raise InvalidOptionError(
            f"--video_index {vi} is out of range: the labels have {n_videos} video(s)",
            hint=f"use 0-{n_videos - 1}",
        )
    by_key = {(f.video_index, f.frame_idx): f for f in labels.frames}
    if vi is not None and not gt_mode:
        result = _one_video(labels, sel, frames_spec, vi, n_frames(vi), by_key)
    else:
        result = _labeled(labels, sel, frames_spec, gt_mode, by_key)
    if not result.items and not labels.frames and vi is None:
        raise UnsupportedInputError(
            f"{source_name} has no labeled frames to predict on",
            hint="give --video_index N to predict on every frame of one of its videos",
        )
    if not result.items:
        raise FrameSelectionError(
            f"no frames of {source_name} match the frame selection",
            hint="check --frames, --video_index and the frame filters",
        )
    return result


_Keyed = dict[tuple[int, int], LabeledFrame]


def _one_video(labels: Dataset, sel: FrameSelection, frames_spec: str, vi: int, n: int,
               by_key: _Keyed) -> SelectedFrames:
    indices, outside = resolve_frames(frames_spec, n)
    if sel.exclude_user_labeled:
        labeled = {f.frame_idx for f in labels.frames
                   if f.video_index == vi and f.has_user_instances}
        indices = [i for i in indices if i not in labeled]
    return SelectedFrames(items=[FrameItem(vi, i, by_key.get((vi, i))) for i in indices],
                          method="specified" if frames_spec else "all", outside=len(outside))


def _labeled(labels: Dataset, sel: FrameSelection, frames_spec: str, gt_mode: bool,
             by_key: _Keyed) -> SelectedFrames:
    frames = list(labels.frames)
    if sel.video_index is not None:
        frames = [f for f in frames if f.video_index == sel.video_index]
    method = "all"
    if sel.only_labeled_frames:
        frames = [f for f in frames if f.has_user_instances]
        method = "labeled"
    elif sel.only_suggested_frames:
        frames = [
            LabeledFrame(s.video_index, s.frame_idx, [])
            for s in labels.suggestions
            if not (by_key.get((s.video_index, s.frame_idx))
                    and by_key[(s.video_index, s.frame_idx)].has_user_instances)
        ]
        method = "suggested"
    elif sel.exclude_user_labeled:
        frames = [f for f in frames if not f.has_user_instances]
    elif sel.only_predicted_frames:
        frames = [f for f in frames if f.predicted_instances]
        method = "predicted"
    if gt_mode:
        frames = [f for f in frames if f.instances]
    if frames_spec:
        positions, _ = resolve_frames(frames_spec, len(frames))
        frames = [frames[i] for i in positions]
        method = "specified"
    return SelectedFrames(items=[FrameItem(f.video_index, f.frame_idx, f) for f in frames],
                          method=method)
