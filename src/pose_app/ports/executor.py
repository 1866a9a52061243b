"""The executor port of batch runs (ADR-0060, ADR-0120): where the jobs of a batch run.

A job is one input, or one frame range (:class:`Chunk`) of one input. The use case
(:class:`pose_app.batch.BatchUseCase`) plans the jobs; an :class:`Executor` runs each once
(in this process with :class:`LocalExecutor`, on a Ray cluster with
``pose_adapters.ray_executor.RayExecutor``) and reports every outcome back to the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import attrs

from pose_app.ports.progress import ProgressReporter, SilentExtras
from pose_domain.errors import PoseError


@attrs.frozen(kw_only=True)
class Chunk:
    """A frame range of one video.

    Attributes:
        start: First frame index the chunk owns.
        stop: One past the last frame index it owns.
        warmup: Frames before ``start`` tracked first to rebuild the tracker's history
            (0 for the first chunk or without tracking).
    """

    start: int
    stop: int
    warmup: int = 0

    @property
    def key(self) -> str:
        return f"{self.start}-{self.stop}"

    @property
    def first(self) -> int:
        """First frame index processed (warm-up included)."""
        return self.start - self.warmup


@attrs.frozen(kw_only=True)
class Job:
    """One unit of work for an executor.

    Attributes:
        input_path: The input (video or ``.slp``).
        output_path: The input's final output.
        chunk: The frame range, or None for the whole input.
        part_path: Where a chunk writes its own output (None for whole inputs).
        frames: Planned number of frames (for the progress total; 0 if unknown).
    """

    input_path: str
    output_path: str
    chunk: Chunk | None = None
    part_path: str | None = None
    frames: int = 0

    @property
    def key(self) -> str:
        return self.input_path if self.chunk is None else f"{self.input_path}#{self.chunk.key}"


#: Runs one job: ``(job, progress) -> small JSON-able summary`` such as ``{"frames": n}``.
Work = Callable[[Job, ProgressReporter], dict[str, Any]]


class Executor(Protocol):
    """Runs jobs, each ``work(job, progress)`` once (retrying lost workers), reporting as each
    finishes: ``on_done(job, result)`` or ``on_failed(job, one_line_reason)``.

    A job that raises is reported through ``on_failed`` and never stops the others; the
    callbacks run in the calling process (the driver). ``progress`` receives only
    ``advance`` calls: ``start`` / ``finish`` belong to the caller.
    """

    def run(
        self,
        jobs: Sequence[Job],
        work: Work,
        on_done: Callable[[Job, dict[str, Any]], None],
        on_failed: Callable[[Job, str], None],
        progress: ProgressReporter,
    ) -> None: ...


def error_line(exc: BaseException) -> str:
    """A one-line reason for a failed job."""
    if isinstance(exc, PoseError):
        return exc.one_line()
    cause = getattr(exc, "cause", None)  # executors wrap task errors
    if isinstance(cause, BaseException) and cause is not exc:
        return error_line(cause)
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}".strip()


class LocalExecutor:
    """Runs jobs one after another in this process."""

    def run(
        self,
        jobs: Sequence[Job],
        work: Work,
        on_done: Callable[[Job, dict[str, Any]], None],
        on_failed: Callable[[Job, str], None],
        progress: ProgressReporter,
    ) -> None:
        for job in jobs:
            try:
                result = work(job, _Forward(progress))
            except Exception as exc:  # a failed input must not stop the others
                on_failed(job, error_line(exc))
                continue
            on_done(job, result)


class _Forward(SilentExtras):
    """Forwards ``advance`` to the run's reporter; ``start``/``finish`` belong to the run."""

    def __init__(self, target: ProgressReporter) -> None:
        self.target = target

    def start(self, total: int, description: str = "") -> None:
        pass

    def advance(self, n: int = 1) -> None:
        self.target.advance(n)

    def finish(self) -> None:
        pass
