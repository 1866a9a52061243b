"""The composition root of ``pose track`` over many inputs (ADR-0141): the run use cases of
:mod:`pose_app.runs` wired to real adapters, and the batch worker Ray ships by reference."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pose import bootstrap
from pose_app.runs.models import ModelCache

if TYPE_CHECKING:
    from pose_app.batch import BatchUseCase, Finalize
    from pose_app.ports.executor import Executor, Job
    from pose_app.ports.progress import ProgressReporter
    from pose_app.ports.stop import StopToken
    from pose_app.runs.batch import BatchRunUseCase
    from pose_app.runs.job import TrackJob
    from pose_app.runs.local import InputDone, LocalRunUseCase, TrackOnlyRunUseCase


def build_local_run(job: TrackJob, *, stop: StopToken,
                    on_done: Callable[[InputDone], None] | None = None) -> LocalRunUseCase:
    """Inputs one after another in this process, each output locked while it is written."""
    from pose_adapters.locks import FileOutputLocks
    from pose_app.runs.local import LocalRunUseCase

    o = job.options
    progress = bootstrap.make_progress("gui" if o.run.gui else o.run.progress)

    def predict() -> Any:
        return bootstrap.build_predict_use_case(progress=progress, stop=stop, output=o.output,
                                                centroid_output=o.predict.centroid_output)

    return LocalRunUseCase(predict=predict, locks=FileOutputLocks(), stop=stop,
                           on_done=on_done)


def build_track_only_run(job: TrackJob) -> TrackOnlyRunUseCase:
    """Track-only mode over each ``.slp`` input."""
    from pose_app.runs.local import TrackOnlyRunUseCase

    run = job.options.run
    progress = bootstrap.make_progress("gui" if run.gui else run.progress)
    return TrackOnlyRunUseCase(track=bootstrap.build_track_only_use_case(progress))


def build_batch_run(job: TrackJob, executor: Executor) -> BatchRunUseCase:
    """The batch driver: planning through the file inspector, jobs through ``executor``,
    each job run by :func:`run_job` in the worker."""
    from pose_adapters.inspect import FileInspector
    from pose_app.runs.batch import BatchRunUseCase

    def batch(manifest_path: str, finalize: Finalize | None) -> BatchUseCase:
        return bootstrap.build_batch_use_case(
            executor=executor, work=functools.partial(run_job, job),
            manifest_path=manifest_path, run=job.options.run, finalize=finalize)

    return BatchRunUseCase(inspector=FileInspector(), batch=batch)


#: This worker process's models (a Ray worker runs many jobs and loads the networks once).
_MODELS = ModelCache()


def run_job(shared: TrackJob, job: Job, progress: ProgressReporter) -> dict[str, Any]:
    """One batch job in a worker (module level, so Ray ships it by reference)."""
    from pose.logs import setup_logging
    from pose_app.runs.batch import run_batch_job

    setup_logging()
    return run_batch_job(
        shared, job, models=_MODELS,
        predict=lambda: bootstrap.build_predict_use_case(progress=progress),
        track=lambda: bootstrap.build_track_only_use_case(progress))
