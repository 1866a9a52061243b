"""Inputs of a prediction run: a video or a labels file, as a stream of frame jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from pose_app.dataset import Dataset, Suggestion, VideoRef
from pose_app.ports.labels import LabelsStore
from pose_app.ports.video import FrameSource, VideoOpener
from pose_app.predict.request import PredictRequest, is_labels_path
from pose_app.predict.selection import (
    SelectedFrames,
    select_labeled_frames,
    select_video_frames,
)
from pose_app.stages import FrameJob
from pose_domain.errors import UnsupportedInputError
from pose_domain.instance import Instance

log = logging.getLogger("pose")

Done = set[tuple[int, int]]


class FrameInput:
    """Frames to process plus what the output needs to know about them.

    Attributes:
        videos: The output's videos.
        suggestions: The output's suggestions (kept from a labels input).
        method: How frames were selected (provenance).
        n_jobs: Frames :meth:`jobs` yields.
    """

    videos: list[VideoRef]
    suggestions: list[Suggestion]
    method: str
    n_jobs: int

    def jobs(self, done: Done | None = None, decode_skipped: bool = False) -> Iterator[FrameJob]:
        """Frames in order; those in ``done`` come back with ``resumed=True`` (and no image
        unless ``decode_skipped``)."""
        raise NotImplementedError

    def keys(self) -> list[tuple[int, int]]:
        """``(video_index, frame_idx)`` of every frame :meth:`jobs` yields, in order."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def open_input(request: PredictRequest, *, gt_mode: bool, labels_store: LabelsStore,
               open_video: VideoOpener, keep_instances: bool = True) -> FrameInput:
    """The input of ``request``: a labels file (by suffix) or a video.

    Args:
        gt_mode: The stage needs the input's instances as centroids (a ``.slp`` is required).
        keep_instances: The user instances of a labels input go to the output.

    Raises:
        UnsupportedInputError: GT-centroid mode on a video.
    """
    sel = request.selection
    gt_path = request.inference.gt_centroids
    lookup = ground_truth_lookup(labels_store.load(gt_path)) if gt_path else None
    if is_labels_path(request.data_path):
        return LabelsInput(labels_store.load(request.data_path), request, labels_store, gt_mode,
                           keep_instances, lookup)
    if lookup is not None:
        vi = sel.video_index or 0
        labeled = {fi for (v, fi) in lookup if v == vi}
        src = open_video(request.data_path, dataset=request.video_dataset,
                         input_format=request.video_input_format)
        return VideoInput(src, request.frames_spec, only=labeled,
                          gt=lambda fi: lookup.get((vi, fi), []))
    if gt_mode:
        raise UnsupportedInputError(
            "this run takes centroids or instances from labels (a centered-instance model "
            "alone, or --gt_instances): the input must be a .slp with instances",
            hint="give a labeled .slp as input, or --gt_centroids LABELS with a video",
        )
    if any((sel.only_labeled_frames, sel.only_suggested_frames, sel.exclude_user_labeled,
            sel.only_predicted_frames)):
        log.warning("frame filters need a .slp input; ignoring them for a video")
    src = open_video(request.data_path, dataset=request.video_dataset,
                     input_format=request.video_input_format)
    return VideoInput(src, request.frames_spec)


GtLookup = dict[tuple[int, int], list[Instance]]


def ground_truth_lookup(ds: Dataset) -> GtLookup:
    """User instances by ``(video_index, frame_idx)`` (``--gt_centroids``)."""
    return {(f.video_index, f.frame_idx): f.user_instances for f in ds.frames
            if f.has_user_instances}


class VideoInput(FrameInput):
    """Every selected frame of one video (video index 0).

    With ``only``, just those frame indices; ``gt`` gives a frame's ground-truth instances.
    """

    def __init__(self, src: FrameSource, frames_spec: str, *, only: set[int] | None = None,
                 gt: Callable[[int], list[Instance]] | None = None) -> None:
        self.src = src
        self.gt = gt
        selected = select_video_frames(frames_spec, src.n_frames)
        if selected.outside:
            log.warning(
                "--frames: %d selected frame(s) are past the end of the video (%d frames); "
                "skipping them", selected.outside, src.n_frames,
            )
        self.indices = [it.frame_idx for it in selected.items
                        if only is None or it.frame_idx in only]
        self.videos = [src.video_ref()]
        self.suggestions = []
        self.method = selected.method
        self.n_jobs = len(self.indices)

    def jobs(self, done: Done | None = None, decode_skipped: bool = False) -> Iterator[FrameJob]:
        done = done or set()
        todo = [i for i in self.indices if (0, i) not in done or decode_skipped]
        frames = self.src.iter_frames(todo)
        for idx in self.indices:
            if (0, idx) in done:
                image = next(frames)[1] if decode_skipped else None
                yield FrameJob(video_index=0, frame_idx=idx, image=image, resumed=True)
                continue
            got, image = next(frames)
            gt = self.gt(got) if self.gt is not None else []
            yield FrameJob(video_index=0, frame_idx=got, image=image, gt_instances=list(gt))

    def keys(self) -> list[tuple[int, int]]:
        return [(0, i) for i in self.indices]

    def close(self) -> None:
        self.src.close()


class LabelsInput(FrameInput):
    """Frames of a labels file (parity notes §4.2–4.3, the reference ``track`` semantics)."""

    def __init__(self, ds: Dataset, request: PredictRequest, store: LabelsStore,
                 gt_mode: bool, keep_instances: bool = True,
                 lookup: GtLookup | None = None) -> None:
        self.ds = ds
        self.store = store
        self.videos = list(ds.videos)
        self.suggestions = list(ds.suggestions)
        self._opened: dict[int, FrameSource] = {}
        sel = request.selection
        selected: SelectedFrames = select_labeled_frames(
            ds, sel, request.frames_spec, gt_mode=gt_mode,
            n_frames=lambda vi: self._source(vi).n_frames, source_name=request.data_path,
        )
        if selected.outside:
            log.warning("--frames: %d frame(s) past the end of video %d", selected.outside,
                        sel.video_index)
        self.items = selected.items
        self.method = selected.method
        self.gt_mode = gt_mode
        self.keep_instances = keep_instances
        self.lookup = lookup
        self.only_labeled = sel.only_labeled_frames
        self.n_jobs = len(self.items)

    def _source(self, video_index: int) -> FrameSource:
        if video_index not in self._opened:
            self._opened[video_index] = self.store.open_video(self.ds.videos[video_index])
        return self._opened[video_index]

    def jobs(self, done: Done | None = None, decode_skipped: bool = False) -> Iterator[FrameJob]:
        done = done or set()
        for item in self.items:
            vi, fi, lf = item.video_index, item.frame_idx, item.labeled
            resumed = (vi, fi) in done
            image = None
            if not resumed or decode_skipped:
                for _, img in self._source(vi).iter_frames([fi]):
                    image = img
            keep = list(lf.user_instances) if lf is not None and self.keep_instances else []
            gt: list[Instance] = []
            if self.lookup is not None:
                gt = list(self.lookup.get((vi, fi), []))
            elif self.gt_mode and lf is not None:
                gt = list(lf.user_instances) if self.only_labeled else list(lf.instances)
            yield FrameJob(video_index=vi, frame_idx=fi, image=image, gt_instances=gt,
                           keep_instances=keep, resumed=resumed)

    def keys(self) -> list[tuple[int, int]]:
        return [(it.video_index, it.frame_idx) for it in self.items]

    def close(self) -> None:
        for src in self._opened.values():
            src.close()
