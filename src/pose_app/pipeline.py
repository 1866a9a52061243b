"""The streaming pipeline: decode → (preprocess + forward) → (decode + track) → collect.

Three threads connected by bounded queues, so memory does not grow with video length and the
stages overlap (the network runtimes and numpy release the GIL):

* a reader thread decodes frames from the source,
* the calling thread batches frames and runs preprocessing and the network(s),
* a post-processing thread turns network outputs into instances, tracks them and hands
  finished frames to a sink (in frame order).

An exception in any stage stops the others and is re-raised in the caller.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import attrs

from pose_app.stages import FrameJob, Stage
from pose_domain.instance import PredictedInstance

_DONE = object()

BatchT = TypeVar("BatchT")


@attrs.define(eq=False)
class FrameResult:
    """A processed frame: its job and its (possibly tracked) predicted instances."""

    job: FrameJob
    instances: list[PredictedInstance]
    decoded: bool = True


class _Stop(Exception):
    pass


class _Channel:
    """A bounded queue that can be cancelled from either side."""

    def __init__(self, maxsize: int, cancel: threading.Event) -> None:
        self.q: queue.Queue[Any] = queue.Queue(maxsize=max(1, maxsize))
        self.cancel = cancel

    def put(self, item: Any) -> None:
        while True:
            if self.cancel.is_set():
                raise _Stop
            try:
                self.q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def get(self) -> Any:
        while True:
            if self.cancel.is_set():
                raise _Stop
            try:
                return self.q.get(timeout=0.1)
            except queue.Empty:
                continue


def run_pipeline(
    jobs: Iterable[FrameJob],
    stage: Stage[BatchT],
    *,
    batch_size: int,
    on_frame: Callable[[FrameResult], None],
    track: Callable[[list[PredictedInstance], FrameJob], list[PredictedInstance]] | None = None,
    queue_maxsize: int = 32,
    stop: Callable[[], bool] | None = None,
) -> None:
    """Run ``stage`` over ``jobs`` and call ``on_frame`` for each frame, in input order.

    Args:
        jobs: Frames to process (decoded lazily by the iterator, on the reader thread).
        stage: Forward/decode halves for the model combination.
        batch_size: Frames per network call; a batch is cut early when the frame shape changes.
        on_frame: Called on the post-processing thread for every frame (undecodable frames
            arrive with ``decoded=False`` and no instances).
        track: Optional per-frame tracker hook, called in frame order.
        queue_maxsize: Frames buffered between reader and inference.
        stop: Polled before each new frame is read and batched; once true, no new frame is
            taken, the batch being built goes through the network and every frame already
            batched reaches ``on_frame``; frames decoded but not yet batched are dropped.
    """
    cancel = threading.Event()
    frames_q = _Channel(queue_maxsize, cancel)
    raw_q = _Channel(2, cancel)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for job in jobs:
                if stop is not None and stop():
                    break
                frames_q.put(job)
            frames_q.put(_DONE)
        except _Stop:
            pass
        except BaseException as exc:
            errors.append(exc)
            cancel.set()

    def post() -> None:
        try:
            while True:
                item = raw_q.get()
                if item is _DONE:
                    return
                skipped, raw = item
                for job in skipped:
                    on_frame(FrameResult(job=job, instances=[], decoded=False))
                if raw is None:
                    continue
                per_frame = stage.decode(raw)
                for job, insts in zip(raw.jobs, per_frame):
                    if track is not None:
                        insts = track(insts, job)
                    on_frame(FrameResult(job=job, instances=insts))
        except _Stop:
            pass
        except BaseException as exc:
            errors.append(exc)
            cancel.set()

    t_read = threading.Thread(target=reader, name="pose-reader", daemon=True)
    t_post = threading.Thread(target=post, name="pose-post", daemon=True)
    t_read.start()
    t_post.start()
    try:
        for skipped, batch in _batches(frames_q, batch_size, stop):
            raw: BatchT | None = stage.forward(batch) if batch else None
            raw_q.put((skipped, raw))
        raw_q.put(_DONE)
    except _Stop:
        pass
    except BaseException as exc:
        errors.append(exc)
        cancel.set()
    t_post.join()
    cancel.set()
    t_read.join(timeout=5)
    if errors:
        raise errors[0]


def _batches(frames_q: _Channel, batch_size: int, stop: Callable[[], bool] | None = None,
             ) -> Iterator[tuple[list[FrameJob], list[FrameJob]]]:
    """Yield ``(undecodable jobs, batch)``; batches hold same-shaped frames, in order."""
    batch: list[FrameJob] = []
    skipped: list[FrameJob] = []
    while True:
        if stop is not None and stop():
            break
        job = frames_q.get()
        if job is _DONE:
            break
        if job.image is None or job.resumed:
            if batch:
                yield [], batch
                batch = []
            skipped.append(job)
            yield skipped, []
            skipped = []
            continue
        if batch and batch[0].image is not None and job.image.shape != batch[0].image.shape:
            yield [], batch
            batch = []
        batch.append(job)
        if len(batch) >= batch_size:
            yield [], batch
            batch = []
    if batch:
        yield [], batch
