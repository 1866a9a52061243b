"""``pose track``'s one entry: checks the request once, then runs it locally, as a batch
(Ray / chunks) or in track-only mode, with use cases from :mod:`pose_cli.bootstrap`."""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import attrs

from pose import bootstrap
from pose_app.options import TrackingOptions, TrackOptions
from pose_cli.inputs import check_output_path, expand_inputs, output_for
from pose_cli.logs import setup_logging
from pose_cli.signals import Interrupted, SignalStop, stop_on_signals
from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:  # imported lazily: a second run on a locked output ends before scipy loads
    from pose_app.batch import BatchInput, Finalize
    from pose_app.ports.executor import Executor, Job
    from pose_app.ports.models import LoadedModel
    from pose_app.ports.progress import ProgressReporter
    from pose_app.predict import PredictRequest
    from pose_app.track import TrackOnlyRequest

log = logging.getLogger("pose")


@attrs.frozen(kw_only=True)
class TrackJob:
    """What every job of one ``pose track`` call shares (shipped to Ray workers as is)."""

    model_paths: tuple[str, ...]
    options: TrackOptions

    @property
    def track_only(self) -> bool:
        return not self.model_paths

    def cli_args(self, data_paths: list[str] | str) -> dict[str, Any]:
        """The flags as the provenance records them."""
        flags = {k: v for k, v in self.options.flags().items() if v is not None}
        paths = [data_paths] if isinstance(data_paths, str) else list(data_paths)
        return {"data_path": paths, "model_paths": list(self.model_paths), **flags}


def run_track(data_paths: list[str], model_paths: list[str], options: TrackOptions) -> int:
    """``pose track``: prediction and/or tracking, per input; the first SIGTERM / SIGINT stops
    it cleanly with everything predicted saved, a second at once (ADR-0131).

    Returns:
        The exit code (0, or 1 when a batch input failed).
    """
    with stop_on_signals() as stop:
        return _run_track(data_paths, model_paths, options, stop)


def _run_track(data_paths: list[str], model_paths: list[str], options: TrackOptions,
               stop: SignalStop) -> int:
    setup_logging()
    from pose_domain.frames import frame_ranges

    if not model_paths and not options.tracking.tracking:
        raise InvalidOptionError(
            "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
        )
    frame_ranges(options.selection.frames)  # a malformed --frames fails before any loading
    if model_paths and len(data_paths) == 1 and _is_live(data_paths[0]):
        from pose_cli.live import run_live

        return run_live(data_paths[0], list(model_paths), options, stop=stop)
    executor = None
    if options.run.batch:
        from pose_cli import batch as plan

        plan.check_batch_options(options)
        executor = bootstrap.make_executor(options.run, stop)  # fails first when ray is missing
    inputs = expand_inputs(list(data_paths))
    bootstrap.check_request(inputs, options)  # inputs and formats, before any model loads
    if options.output.output_path and len(inputs) > 1:
        raise InvalidOptionError("-o names one file but several inputs were given",
                                 hint="drop -o to write <input>.predictions.slp per input")
    job = TrackJob(model_paths=tuple(model_paths), options=options)
    if executor is not None:
        if getattr(executor, "stop", None) is stop:
            stop.cooperative = True  # the Ray driver polls the token
        return _run_batch(job, inputs, executor, stop)
    if job.track_only:
        return _run_track_only(job, inputs)
    return _run_local(job, inputs, stop)


def _is_live(value: str) -> bool:
    """A camera index or stream URL that is not a file here."""
    from pose_adapters.video.live import is_live_source

    return is_live_source(value) and not os.path.exists(value)


def _output(job: TrackJob, data_path: str) -> str:
    out = job.options.output
    return output_for(data_path, out.output_path, out.primary_format, job.track_only)


def _predict_request(job: TrackJob, data_path: str, output: str, output_format: str,
                     frames: str | None = None,
                     tracking: TrackingOptions | None = None) -> PredictRequest:
    from pose_app.predict import PredictRequest

    o = job.options
    return PredictRequest(
        data_path=data_path,
        model_paths=job.model_paths,
        inference=o.inference,
        tracking=tracking if tracking is not None else o.tracking_or_none(),
        selection=o.selection,
        frames_spec=o.selection.frames if frames is None else frames,
        video_dataset=o.input.video_dataset,
        video_input_format=o.input.video_input_format,
        cli_args=job.cli_args(data_path),
        resume=o.run.resume,
        output_path=output,
        output_format=output_format,
    )


def _run_local(job: TrackJob, inputs: list[str], stop: SignalStop) -> int:
    o = job.options
    progress = bootstrap.make_progress("gui" if o.run.gui else o.run.progress)
    use_case = None  # built once the first output is locked (a second run fails fast)
    models: list[LoadedModel] | None = None
    for n_done, data_path in enumerate(inputs):
        if stop.is_set():  # a stop between inputs: the finished ones are skipped next time
            raise Interrupted(stop.signum, f"stopped after {n_done} of {len(inputs)} inputs; "
                              "run the same command without --overwrite to continue "
                              "(finished outputs are skipped)")
        out = _output(job, data_path)
        check_output_path(out)
        if os.path.exists(out) and not o.output.overwrite and len(inputs) > 1:
            log.warning("skipping %s: %s exists (use --overwrite)", data_path, out)
            continue
        with bootstrap.output_lock(out):  # one writer per output (ADR-0130)
            if use_case is None:
                use_case = bootstrap.build_predict_use_case(
                    progress=progress, stop=stop, output=o.output,
                    centroid_output=o.predict.centroid_output)
            stop.cooperative = True  # the use case polls the token
            request = _predict_request(job, data_path, out, o.output.primary_format)
            if models is None:
                models = use_case.load_models(job.model_paths, o.inference)
            result = use_case(request, models=models)
        from pose_adapters.chunks import partial_dir_for

        fps = result.frames_processed / max(result.seconds, 1e-9)
        resumed = result.dataset.provenance.get("frame_selection", {}).get("frames_resumed", 0)
        note = f", {resumed} resumed from {partial_dir_for(out)}" if resumed else ""
        print(f"pose: wrote {out} ({result.frames_processed} frames, {fps:.1f} FPS{note})",
              file=sys.stderr)
    return 0


def _track_only_request(job: TrackJob, data_path: str, output: str | None,
                        frames: tuple[int, ...] | None,
                        tracking: TrackingOptions | None = None) -> TrackOnlyRequest:
    from pose_app.track import TrackOnlyRequest

    o = job.options
    return TrackOnlyRequest(
        input_path=data_path, output_path=output,
        tracking=tracking if tracking is not None else o.tracking,
        frames=frames, video_index=o.selection.video_index,
        max_instances=o.inference.max_instances, inference=o.inference,
        cli_args=job.cli_args(data_path),
    )


def track_only_frames(spec: str) -> tuple[int, ...] | None:
    """``--frames`` of track-only mode: indices, without open ranges."""
    from pose_domain.frames import OPEN_END, parse_frames

    parsed = parse_frames(spec)
    if parsed is None:
        return None
    if OPEN_END in parsed:
        raise InvalidOptionError(
            "--frames: open ranges ('a-') are not supported in track-only mode",
            hint="give the last frame index, e.g. 100-1499",
        )
    return tuple(parsed)


def _run_track_only(job: TrackJob, inputs: list[str]) -> int:
    frames = track_only_frames(job.options.selection.frames)
    use_case = bootstrap.build_track_only_use_case(
        bootstrap.make_progress("gui" if job.options.run.gui else job.options.run.progress),
        output=job.options.output)
    for path in inputs:
        use_case(_track_only_request(job, path, job.options.output.output_path, frames))
    return 0


# ------------------------------------------------------------------------------ batch
def _run_batch(job: TrackJob, inputs: list[str], executor: Executor, stop: SignalStop) -> int:
    import functools

    from pose_cli import batch as plan

    planned: list[BatchInput] = []
    for path in inputs:
        path = os.path.abspath(path)
        output = os.path.abspath(_output(job, path))
        check_output_path(output)
        planned.append(plan.plan_input(job.options, path, output, job.track_only,
                                       bootstrap.count_frames))
    use_case = bootstrap.build_batch_use_case(
        executor=executor,
        work=functools.partial(run_job, job),
        manifest_path=plan.manifest_path(planned),
        run=job.options.run,
        remove=plan.remove_part,
        part_path=plan.part_path,
        finalize=_finalize(job),
    )
    report = use_case(planned, plan.fingerprint_of(job.options, list(job.model_paths)),
                      overwrite=job.options.output.overwrite)
    if stop.is_set():  # ADR-0131: finished chunks stay done in the manifest
        raise Interrupted(stop.signum, (
            f"stopped: {len(report.done) + len(report.skipped)} of {len(planned)} input(s) "
            f"done; finished chunks are recorded in {plan.manifest_path(planned)}; "
            "run the same command with --resume to continue"))
    for path in report.skipped:
        print(f"pose: skipped {path} (done)", file=sys.stderr)
    for path in report.done:
        out = next(i.output_path for i in planned if i.input_path == path)
        print(f"pose: wrote {out}", file=sys.stderr)
    for path, reason in sorted(report.failed.items()):
        print(f"pose: error: {path}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def _finalize(job: TrackJob) -> Finalize | None:
    """Whole-video post-processing of the merged chunks (None when none is asked for)."""
    t = job.options.tracking
    if not t.tracking or not (t.post_connect_single_breaks or t.tracking_clean_instance_count):
        return None
    from pose_app.track import build_tracker

    tracker = build_tracker(t, max_instances=job.options.inference.max_instances,
                            track_only=job.track_only)
    return tracker.finalize


#: Models loaded by this worker process, keyed by model paths and inference options: a Ray
#: worker runs many jobs and loads the networks once.
_WORKER_MODELS: dict[str, list[LoadedModel]] = {}


def run_job(shared: TrackJob, job: Job, progress: ProgressReporter) -> dict[str, Any]:
    """Run one batch job (a whole input or one chunk) and write its output atomically.

    Module level so Ray ships it by reference. Returns ``{"frames", "output"}``.
    """
    from pose_cli import batch as plan


    setup_logging()
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
        use_case = bootstrap.build_track_only_use_case(progress)
        tracked = use_case(_track_only_request(shared, job.input_path, out, frames, tracking))
        return {"frames": tracked.frames_processed, "output": out}
    predict = bootstrap.build_predict_use_case(  # chunks are .slp parts, merged later
        progress=progress, output=None if job.part_path else shared.options.output,
        centroid_output=shared.options.predict.centroid_output)
    request = _predict_request(
        shared, job.input_path, out,
        "slp" if job.part_path else shared.options.output.primary_format,
        frames=plan.frames_text(indices) if indices is not None else None, tracking=tracking)
    key = repr((shared.model_paths, shared.options.inference))
    if key not in _WORKER_MODELS:
        _WORKER_MODELS.clear()
        _WORKER_MODELS[key] = predict.load_models(shared.model_paths, shared.options.inference)
    result = predict(request, models=_WORKER_MODELS[key])
    return {"frames": result.frames_processed, "output": out}
