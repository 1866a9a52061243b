"""``pose track`` over many inputs in this process: prediction with the models loaded once,
or track-only (ADR-0141)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from pose_app.ports.locks import NoLocks, OutputLocks
from pose_app.ports.stop import NeverStop, StopToken
from pose_app.runs.job import TrackJob, track_only_frames
from pose_domain.errors import OutputWriteError

if TYPE_CHECKING:  # the prediction stack loads once the first output is locked (ADR-0130)
    from pose_app.ports.models import LoadedModel
    from pose_app.predict import PredictResult, PredictUseCase
    from pose_app.track import TrackOnlyResult, TrackOnlyUseCase

log = logging.getLogger("pose")


def check_output_path(path: str) -> None:
    """Fail before any work when the output cannot be written (missing or read-only folder)."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise OutputWriteError(
            f"output folder does not exist: {folder}", hint="create it, or choose another -o"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputWriteError(
            f"output folder is not writable: {folder}", hint="choose another -o"
        )
    if os.path.isdir(path):
        raise OutputWriteError(f"output path is a folder: {path}", hint="give a file name")


@attrs.define(kw_only=True)
class InputDone:
    """One input finished: where its output went and what the prediction did."""

    input_path: str
    output_path: str
    result: PredictResult


@attrs.define(kw_only=True)
class LocalRunReport:
    """What a run over many inputs did.

    Attributes:
        done: The inputs predicted, in order.
        skipped: Inputs whose output existed (several inputs, no ``--overwrite``).
        stopped_after: The number of inputs finished when a stop ended the run (None: it
            was not stopped between inputs).
    """

    done: list[InputDone] = attrs.field(factory=list)
    skipped: list[str] = attrs.field(factory=list)
    stopped_after: int | None = None


@attrs.frozen(kw_only=True)
class LocalRunUseCase:
    """Predict on each input in turn; one writer per output; models loaded once.

    Attributes:
        predict: Builds the prediction use case; called once the first output is locked, so
            a second run on a locked output ends before anything heavy loads.
        locks: One writer per output (ADR-0130).
        stop: Polled between inputs (the prediction use case polls it between frames).
        on_done: Called as each input finishes (the CLI prints a line).
    """

    predict: Callable[[], PredictUseCase]
    locks: OutputLocks = attrs.field(factory=NoLocks)
    stop: StopToken = attrs.field(factory=NeverStop)
    on_done: Callable[[InputDone], None] | None = None

    def __call__(self, job: TrackJob, inputs: Sequence[str]) -> LocalRunReport:
        o = job.options
        report = LocalRunReport()
        use_case: PredictUseCase | None = None
        models: list[LoadedModel] | None = None
        for n_done, data_path in enumerate(inputs):
            if self.stop.is_set():  # the finished inputs are skipped next time
                report.stopped_after = n_done
                return report
            out = job.output(data_path)
            check_output_path(out)
            if os.path.exists(out) and not o.output.overwrite and len(inputs) > 1:
                log.warning("skipping %s: %s exists (use --overwrite)", data_path, out)
                report.skipped.append(data_path)
                continue
            with self.locks.hold(out):
                if use_case is None:
                    use_case = self.predict()
                self.stop.polled()
                request = job.predict_request(data_path, out, o.output.primary_format)
                if models is None:
                    models = use_case.load_models(job.model_paths, o.inference)
                result = use_case(request, models=models)
            done = InputDone(input_path=data_path, output_path=out, result=result)
            report.done.append(done)
            if self.on_done is not None:
                self.on_done(done)
        return report


@attrs.frozen(kw_only=True)
class TrackOnlyRunUseCase:
    """Re-track each ``.slp`` input in turn."""

    track: TrackOnlyUseCase

    def __call__(self, job: TrackJob, inputs: Sequence[str]) -> list[TrackOnlyResult]:
        frames = track_only_frames(job.options.selection.frames)
        return [self.track(job.track_only_request(path, job.options.output.output_path, frames))
                for path in inputs]
