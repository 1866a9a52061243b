"""``pose track``'s one entry: parses nothing more, picks the run (live, batch, track-only or
local), calls its use case from :mod:`pose.runs`, prints, and turns a stop into an exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from pose.logs import setup_logging
from pose_app.options import TrackOptions
from pose_app.runs.inputs import expand_inputs
from pose_app.runs.job import TrackJob
from pose_cli.signals import Interrupted, SignalStop, stop_on_signals
from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:  # imported lazily: a second run on a locked output ends before scipy loads
    from pose_app.ports.executor import Executor
    from pose_app.runs.local import InputDone


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
    job = TrackJob(model_paths=tuple(model_paths), options=options)
    job.check()  # nothing to do, or a malformed --frames: before any loading
    if model_paths and len(data_paths) == 1 and _is_live(data_paths[0]):
        from pose_cli.live import run_live

        return run_live(data_paths[0], list(model_paths), options, stop=stop)
    executor = None
    if options.run.batch:
        from pose import bootstrap
        from pose_app.runs.plan import check_batch_options

        check_batch_options(options)
        executor = bootstrap.make_executor(options.run, stop)  # fails first when ray is missing
    inputs = expand_inputs(list(data_paths))
    if options.output.output_path and len(inputs) > 1:
        raise InvalidOptionError("-o names one file but several inputs were given",
                                 hint="drop -o to write <input>.predictions.slp per input")
    if executor is not None:
        return _run_batch(job, inputs, executor, stop)
    if job.track_only:
        from pose.runs import build_track_only_run

        build_track_only_run(job)(job, inputs)
        return 0
    return _run_local(job, inputs, stop)


def _is_live(value: str) -> bool:
    """A camera index or stream URL that is not a file here."""
    from pose_adapters.video.live import is_live_source

    return is_live_source(value) and not os.path.exists(value)


def _print_written(done: InputDone) -> None:
    from pose_adapters.chunks import partial_dir_for

    result = done.result
    fps = result.frames_processed / max(result.seconds, 1e-9)
    resumed = result.dataset.provenance.get("frame_selection", {}).get("frames_resumed", 0)
    note = f", {resumed} resumed from {partial_dir_for(done.output_path)}" if resumed else ""
    print(f"pose: wrote {done.output_path} ({result.frames_processed} frames, {fps:.1f} FPS"
          f"{note})", file=sys.stderr)


def _run_local(job: TrackJob, inputs: list[str], stop: SignalStop) -> int:
    from pose.runs import build_local_run

    report = build_local_run(job, stop=stop, on_done=_print_written)(job, inputs)
    if report.stopped_after is not None:
        raise Interrupted(stop.signum, (
            f"stopped after {report.stopped_after} of {len(inputs)} inputs; run the same "
            "command without --overwrite to continue (finished outputs are skipped)"))
    return 0


def _run_batch(job: TrackJob, inputs: list[str], executor: Executor, stop: SignalStop) -> int:
    from pose.runs import build_batch_run

    run = build_batch_run(job, executor)(job, inputs)
    report = run.report
    if stop.is_set():  # ADR-0131: finished chunks stay done in the manifest
        raise Interrupted(stop.signum, (
            f"stopped: {len(report.done) + len(report.skipped)} of {len(run.planned)} input(s) "
            f"done; finished chunks are recorded in {run.manifest_path}; "
            "run the same command with --resume to continue"))
    for path in report.skipped:
        print(f"pose: skipped {path} (done)", file=sys.stderr)
    for path in report.done:
        print(f"pose: wrote {run.output_of(path)}", file=sys.stderr)
    for path, reason in sorted(report.failed.items()):
        print(f"pose: error: {path}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0
