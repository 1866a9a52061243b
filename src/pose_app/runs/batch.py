"""The batch driver (``--executor ray`` / ``--chunk-frames``) and the worker that runs one of
its jobs, with the worker process's model cache (ADR-0060..0062, ADR-0141)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from pose_app.batch import BatchInput, BatchReport, BatchUseCase, Finalize
from pose_app.ports.executor import Job
from pose_app.ports.inspect import InputInspector
from pose_app.predict import PredictUseCase
from pose_app.runs import plan
from pose_app.runs.job import TrackJob, track_only_frames
from pose_app.runs.local import check_output_path
from pose_app.runs.models import ModelCache
from pose_app.track import TrackOnlyUseCase, build_tracker


@attrs.define(kw_only=True)
class BatchRunReport:
    """The batch's report, its planned inputs and where its manifest is."""

    report: BatchReport
    planned: list[BatchInput]
    manifest_path: str

    def output_of(self, input_path: str) -> str:
        return next(i.output_path for i in self.planned if i.input_path == input_path)


@attrs.frozen(kw_only=True)
class BatchRunUseCase:
    """Plan every input (chunks when asked) and run the jobs through the batch use case.

    Attributes:
        inspector: Frame counts and labeled frames of the inputs (planning).
        batch: ``(manifest path, finalize) -> BatchUseCase`` with the executor and the work.
    """

    inspector: InputInspector
    batch: Callable[[str, Finalize | None], BatchUseCase]

    def __call__(self, job: TrackJob, inputs: Sequence[str]) -> BatchRunReport:
        planned: list[BatchInput] = []
        for path in inputs:
            path = os.path.abspath(path)
            output = os.path.abspath(job.output(path))
            check_output_path(output)
            planned.append(plan.plan_input(job.options, path, output, job.track_only,
                                           self.inspector))
        manifest = plan.manifest_path(planned)
        use_case = self.batch(manifest, finalize_for(job))
        report = use_case(planned, plan.fingerprint_of(job.options, list(job.model_paths)),
                          overwrite=job.options.output.overwrite)
        return BatchRunReport(report=report, planned=planned, manifest_path=manifest)


def finalize_for(job: TrackJob) -> Finalize | None:
    """Whole-video post-processing of the merged chunks (None when none is asked for)."""
    t = job.options.tracking
    if not t.tracking or not (t.post_connect_single_breaks or t.tracking_clean_instance_count):
        return None
    tracker = build_tracker(t, max_instances=job.options.inference.max_instances,
                            track_only=job.track_only)
    return tracker.finalize


def run_batch_job(shared: TrackJob, job: Job, *, predict: Callable[[], PredictUseCase],
                  track: Callable[[], TrackOnlyUseCase], models: ModelCache,
                  ) -> dict[str, Any]:
    """Run one batch job (a whole input or one chunk) and write its output atomically.

    Returns:
        ``{"frames", "output"}``.
    """
    out = job.part_path or job.output_path
    if job.part_path:
        os.makedirs(os.path.dirname(job.part_path), exist_ok=True)
    indices = plan.chunk_indices(shared.options, job.chunk)
    tracking = None
    if shared.options.tracking.tracking and job.chunk is not None:
        tracking = plan.chunk_tracking_options(shared.options, shared.track_only)
    if shared.track_only:
        frames = (tuple(indices) if indices is not None
                  else track_only_frames(shared.options.selection.frames))
        tracked = track()(shared.track_only_request(job.input_path, out, frames, tracking))
        return {"frames": tracked.frames_processed, "output": out}
    use_case = predict()
    request = shared.predict_request(
        job.input_path, out, "slp" if job.part_path else shared.options.output.primary_format,
        frames=plan.frames_text(indices) if indices is not None else None, tracking=tracking)
    loaded = models.get(shared.model_paths, shared.options.inference, use_case.load_models)
    result = use_case(request, models=loaded)
    return {"frames": result.frames_processed, "output": out}
