"""Synchronous inference: one frame (or a stream of frames) in, instances out (ADR-0135).

:class:`RealtimeSession` drives the same stage objects as :class:`pose_app.predict.PredictUseCase`
(``build_stage``'s ``forward`` then ``decode``) and the same tracker, but on the calling thread:
no reader or post-processing thread, no queues. It serves two uses:

* :meth:`RealtimeSession.predict_frame`: the closed-loop path, one frame per call, the tracker's
  state kept between calls (:meth:`RealtimeSession.reset` starts over);
* :meth:`RealtimeSession.stream`: any iterable of frames (unbounded generators too), batched by
  ``batch_size``, results yielded as soon as a batch is decoded, so memory does not depend on
  the number of frames.

Per frame the numbers are those of the use case: same stage, same tracker calls in frame order.
Whole-video tracker post-processing (``finalize``) is left to :meth:`RealtimeSession.finalize`,
which a caller that collects every frame may run at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

import attrs
import numpy as np

from pose_app.options import InferenceOptions, TrackingOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import ImageResizer
from pose_app.ports.tracking import Tracker, TrackerFactory
from pose_app.stages import FrameJob, Stage, build_stage
from pose_domain.errors import UnsupportedInputError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance


def as_frame(image: Any) -> np.ndarray:
    """One frame as ``(H, W, C)`` uint8 (``(H, W)`` gains a channel axis; no copy otherwise).

    Raises:
        UnsupportedInputError: Not a 2-D or 3-D uint8 array.
    """
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise UnsupportedInputError(
            f"frames must be uint8, got {arr.dtype}",
            hint="convert with frame.astype(np.uint8) (values 0-255)",
        )
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3):
        raise UnsupportedInputError(
            f"a frame must have shape (H, W), (H, W, 1) or (H, W, 3), got {arr.shape}",
            hint="pass frames channels-last",
        )
    return arr


def as_frames(array: Any) -> np.ndarray:
    """Frames as ``(N, H, W, C)`` uint8: a stack ``(N, H, W, C)`` or one frame ``(H, W, C)`` /
    ``(H, W)`` (which becomes ``N = 1``).

    Raises:
        UnsupportedInputError: Wrong dtype or number of dimensions.
    """
    arr = np.asarray(array)
    if arr.ndim == 4:
        if arr.dtype != np.uint8:
            as_frame(arr[0] if len(arr) else np.zeros((1, 1), arr.dtype))
        if arr.shape[3] not in (1, 3):
            raise UnsupportedInputError(
                f"frames must be (N, H, W, C) with C = 1 or 3, got {arr.shape}",
                hint="pass frames channels-last",
            )
        return arr
    return as_frame(arr)[None]


@attrs.define(eq=False, kw_only=True)
class RealtimeSession:
    """Loaded models run synchronously, with the tracker's state kept between calls.

    Build it with :meth:`from_models`.
    """

    stage: Stage
    inference: InferenceOptions
    tracking: TrackingOptions | None = None
    tracker_factory: TrackerFactory | None = None
    tracker: Tracker | None = None
    next_index: int = 0
    _job: FrameJob = attrs.field(factory=lambda: FrameJob(video_index=0, frame_idx=0,
                                                          image=None))
    _batch: list[FrameJob] = attrs.field(factory=list)

    @classmethod
    def from_models(
        cls,
        models: Sequence[LoadedModel],
        inference: InferenceOptions,
        resizer: ImageResizer,
        *,
        tracking: TrackingOptions | None = None,
        tracker_factory: TrackerFactory | None = None,
    ) -> RealtimeSession:
        """The stage for ``models`` and, when ``tracking`` is given, a fresh tracker."""
        stage = build_stage(models, inference, resizer)
        session = cls(stage=stage, inference=inference, tracking=tracking,
                      tracker_factory=tracker_factory)
        session.reset()
        return session

    @property
    def use_image(self) -> bool:
        return bool(self.tracking is not None and self.tracking.use_flow)

    def reset(self) -> None:
        """Forget the tracker's identities and restart frame numbering at 0."""
        self.next_index = 0
        self.tracker = None
        if self.tracking is not None and self.stage.trackable and self.tracker_factory:
            self.tracker = self.tracker_factory(self.tracking, self.inference.max_instances)

    def _track(self, instances: list[PredictedInstance], job: FrameJob
               ) -> list[PredictedInstance]:
        if self.tracker is None or not (instances or self.stage.keeps_empty_frames):
            return instances
        image = job.image if self.use_image else None
        tracked = self.tracker.track(instances, job.frame_idx, image=image)
        return cast("list[PredictedInstance]", list(tracked))

    def predict_frame(self, image: Any, frame_idx: int | None = None
                      ) -> list[PredictedInstance]:
        """Instances (tracked when tracking is on) of one frame.

        Args:
            image: ``(H, W, C)`` or ``(H, W)`` uint8.
            frame_idx: The frame's index for the tracker (default: one more than the last).

        Returns:
            The frame's predicted instances, points ``(n_nodes, 2)`` in frame pixels.
        """
        job = self._job
        job.image = as_frame(image)
        job.frame_idx = self.next_index if frame_idx is None else int(frame_idx)
        self.next_index = job.frame_idx + 1
        batch = self._batch
        batch.clear()
        batch.append(job)
        try:
            instances = self.stage.decode(self.stage.forward(batch))[0]
            return self._track(instances, job)
        finally:
            job.image = None
            batch.clear()

    def stream(self, frames: Iterable[Any]) -> Iterator[tuple[int, list[PredictedInstance]]]:
        """``(frame_idx, instances)`` for each frame of ``frames``, in order.

        Frames are batched by ``batch_size`` (a batch is cut early when the shape changes);
        only one batch is held at a time. Indices continue from the last call (0 after
        :meth:`reset`).
        """
        batch: list[FrameJob] = []
        size = self.inference.batch_size
        for image in frames:
            frame = as_frame(image)
            if batch and batch[0].image is not None and batch[0].image.shape != frame.shape:
                yield from self._run(batch)
                batch = []
            batch.append(FrameJob(video_index=0, frame_idx=self.next_index, image=frame))
            self.next_index += 1
            if len(batch) >= size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, batch: list[FrameJob]) -> Iterator[tuple[int, list[PredictedInstance]]]:
        per_frame = self.stage.decode(self.stage.forward(batch))
        for job, instances in zip(batch, per_frame):
            instances = self._track(instances, job)
            job.image = None
            yield job.frame_idx, instances

    def labeled_frame(self, frame_idx: int, instances: Sequence[Instance]
                      ) -> LabeledFrame | None:
        """The output frame as the use case would keep it (None when it would drop it)."""
        if not instances and not self.stage.keeps_empty_frames:
            return None
        return LabeledFrame(0, frame_idx, list(instances))

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        """The tracker's whole-video post-processing over collected frames (if any)."""
        if self.tracker is not None:
            return list(self.tracker.finalize(frames))
        return frames

    @property
    def tracks(self) -> list[Any]:
        """Tracks of the stage (multi-class models) and of the tracker."""
        out = list(self.stage.tracks)
        if self.tracker is not None:
            out += list(self.tracker.tracks)
        return out
