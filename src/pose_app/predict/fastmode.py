"""Fast modes (bf16, int8): calibrate once, then check against exact fp32 (ADR-0180/0181).

Before a fast-mode run predicts its frames, :class:`FastModeCheck` takes a sample of them
(runs of consecutive frames spread evenly over the selection) and

1. switches every calibrated runtime (int8) to the network cached for this calibration
   source, or, when none is cached, runs the exact fp32 models on the sample, records the
   inputs each network gets and calibrates on them (once per model, runtime and source);
2. predicts the sample with the exact models and with the fast ones (each run of frames
   tracked on its own when the run tracks) and measures their agreement
   (:func:`pose_domain.agreement.agreement`);
3. says it in one line, and, when the agreement is below the :class:`Contract`, stops the run
   (``--fast_below_contract stop``, the default) or warns and goes on; the run then reuses the
   fast predictions of the sample instead of predicting those frames again.

The sample depends only on the run's frame selection, never on what a previous run did, so
``--resume`` and Ray workers on the same input meet the same calibration source.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pose_app.network_outputs import RuntimeOutputs
from pose_app.options import InferenceOptions
from pose_app.pipeline import FrameResult, run_pipeline
from pose_app.ports.chunks import FrameRecord
from pose_app.ports.models import LoadedModel, ModelLoader
from pose_app.ports.runtime import CalibratedRuntime, ImageResizer, executes
from pose_app.ports.tracking import TrackerFactory
from pose_app.predict.inputs import FrameInput
from pose_app.predict.records import frame_record
from pose_app.predict.request import PredictRequest
from pose_app.stages import build_stage
from pose_domain.agreement import Agreement, Contract, SampleFrame, agreement
from pose_domain.errors import BelowAccuracyContractError
from pose_domain.instance import Instance, LabeledFrame

log = logging.getLogger("pose")

Key = tuple[int, int]

#: Consecutive frames per sampled run (identity agreement needs runs, not lone frames).
WINDOW = 8
#: Frames the first run of a source calibrates on (int8).
CALIBRATION_FRAMES = 64


def sample_windows(keys: Sequence[Key], n: int, window: int = WINDOW) -> list[list[Key]]:
    """About ``n`` of ``keys`` as runs of ``window`` consecutive keys spread evenly (all of
    them when there are fewer than ``n``)."""
    if n <= 0 or not keys:
        return []
    if len(keys) <= n:
        return [list(keys[i:i + window]) for i in range(0, len(keys), window)]
    n_win = max(1, -(-n // window))
    span = len(keys) - window
    starts = sorted({round(i * span / max(n_win - 1, 1)) for i in range(n_win)})
    return [list(keys[s:s + window]) for s in starts]


def calibration_source(request: PredictRequest, source: FrameInput,
                       windows: Sequence[Sequence[Key]]) -> str:
    """What the calibration samples are, as a key: the input (name and size of each video),
    the sampled frames and the preprocessing options."""
    h = hashlib.sha256()
    h.update(os.path.basename(os.path.normpath(request.data_path)).encode())
    for v in source.videos:
        h.update(f"|{os.path.basename(v.filename)}|{v.n_frames}|{v.height}|{v.width}".encode())
    h.update(repr([list(w) for w in windows]).encode())
    h.update(repr(attrs.asdict(request.inference.preprocess)).encode())
    return h.hexdigest()[:24]


class _Recording:
    """A runtime that keeps a copy of every input batch it runs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.inputs: list[np.ndarray] = []

    def infer(self, images: np.ndarray) -> RuntimeOutputs:
        self.inputs.append(np.array(images, copy=True))
        out: RuntimeOutputs = self.inner.infer(images)
        return out


@attrs.frozen(kw_only=True)
class FastModeReport:
    """What the check found, for the log line and the provenance; ``predicted`` holds the
    fast mode's (untracked) predictions of the sampled frames, which the run reuses."""

    precision: str
    runs_on: list[str]
    calibration: list[str]
    agreement: Agreement | None
    shortfalls: list[str]
    predicted: dict[Key, FrameRecord] = attrs.field(factory=dict)

    @property
    def met(self) -> bool:
        return not self.shortfalls

    def line(self) -> str:
        head = f"fast mode {self.precision} on {', '.join(self.runs_on)}"
        a = self.agreement
        if a is None:
            return f"{head}: not checked against exact fp32 (--fast_check_frames 0)"
        ident = "" if a.identity is None else f", identities {100 * a.identity:.1f}%"
        verdict = "within the contract" if self.met else "BELOW the contract: " + "; ".join(
            self.shortfalls)
        return (f"{head}: agreement with exact fp32 on {a.frames} sampled frames: instance "
                f"counts {100 * a.counts_equal:.1f}%, points p50/p95/p99 {a.p50:.2f}/"
                f"{a.p95:.2f}/{a.p99:.2f} px, {100 * a.missed:.1f}% nodes missed{ident} — "
                f"{verdict}")

    def as_provenance(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "runs_on": list(self.runs_on),
            "calibration": list(self.calibration),
            "agreement": None if self.agreement is None else self.agreement.as_dict(),
            "contract": attrs.asdict(Contract()),
            "contract_met": None if self.agreement is None else self.met,
            "shortfalls": list(self.shortfalls),
        }


@attrs.frozen(kw_only=True)
class FastModeCheck:
    """Calibration and the accuracy check of a fast-mode run (see the module docstring).

    Attributes:
        loader: Loads the exact fp32 twins of the run's models.
        resizer: The run's resizer.
        tracker_factory: Tracks each sampled run of frames when the run tracks.
        contract: The agreement a fast mode must reach.
        calibration_frames: Frames the first run of a source calibrates on.
    """

    loader: ModelLoader
    resizer: ImageResizer
    tracker_factory: TrackerFactory | None = None
    contract: Contract = attrs.field(factory=Contract)
    calibration_frames: int = CALIBRATION_FRAMES

    def __call__(self, request: PredictRequest, models: Sequence[LoadedModel],
                 source: FrameInput) -> FastModeReport | None:
        """Calibrate and check; None in exact mode.

        Raises:
            BelowAccuracyContractError: Agreement below the contract and
                ``--fast_below_contract stop``.
        """
        inf = request.inference
        if inf.precision == "fp32":
            return None
        keys = source.keys()
        calib_windows = sample_windows(keys, self.calibration_frames)
        src = calibration_source(request, source, calib_windows)
        found: dict[int, str | None] = {}
        for i, m in enumerate(models):
            rt = m.runtime
            if isinstance(rt, CalibratedRuntime):
                needs = rt.needs_calibration()  # False: not int8, or calibrated in this process
                on = rt.use_calibration(src)
                if needs or on is not None:
                    found[i] = on
        pending = [i for i, on in found.items() if on is None]
        borrowed = [i for i, on in found.items() if on is not None and on != src]
        notes = [f"{models[i].spec.model_type}: calibration cached for this input"
                 if on == src else f"{models[i].spec.model_type}: calibration of another "
                 "input reused" for i, on in found.items() if on is not None]
        if not inf.fast_check_frames and not pending:
            return self._report(inf, models, notes, None)
        exact = [m for p in request.model_paths
                 for m in self.loader.load(p, attrs.evolve(inf, precision="fp32"))]
        windows = calib_windows if pending else sample_windows(keys, inf.fast_check_frames)
        found_agreement, predicted = self._calibrate_and_compare(
            request, models, exact, source, windows, src, pending, notes)
        if (found_agreement is not None and borrowed
                and self.contract.shortfalls(found_agreement)):
            log.info("fast mode %s: below the contract with a calibration made on another "
                     "input; calibrating on this input", inf.precision, extra={"notice": True})
            found_agreement, predicted = self._calibrate_and_compare(
                request, models, exact, source, calib_windows, src, borrowed, notes)
        report = attrs.evolve(self._report(inf, models, notes, found_agreement),
                              predicted=predicted)
        if found_agreement is not None:
            self._say(report, inf)
        return report

    def _calibrate_and_compare(self, request: PredictRequest, models: Sequence[LoadedModel],
                               exact: Sequence[LoadedModel], source: FrameInput,
                               windows: Sequence[Sequence[Key]], src: str,
                               to_calibrate: Sequence[int], notes: list[str]
                               ) -> tuple[Agreement | None, dict[Key, FrameRecord]]:
        """Predict ``windows`` in exact fp32 (recording each network's inputs), calibrate the
        models ``to_calibrate`` on them, then predict them in the fast mode and compare.

        Returns:
            The agreement (None when the check is off) and the fast predictions as records.
        """
        inf = request.inference
        exact_inf = attrs.evolve(inf, precision="fp32")
        recorders = [_Recording(m.runtime) for m in exact]
        exact_frames = self._predict(request, [attrs.evolve(m, runtime=r)
                                               for m, r in zip(exact, recorders, strict=True)],
                                     exact_inf, source, windows)
        for i in to_calibrate:
            rt = models[i].runtime
            assert isinstance(rt, CalibratedRuntime)
            rt.calibrate(src, recorders[i].inputs)
            n_inputs = sum(len(x) for x in recorders[i].inputs)
            notes.append(f"{models[i].spec.model_type}: calibrated on {n_inputs} inputs of "
                         f"{sum(len(w) for w in windows)} frames of this input")
        if not inf.fast_check_frames:
            return None, {}
        predicted: dict[Key, FrameRecord] = {}
        fast_frames = self._predict(request, models, inf, source, windows, predicted)
        return agreement(exact_frames, fast_frames), predicted

    def _report(self, inf: InferenceOptions, models: Sequence[LoadedModel], notes: list[str],
                found: Agreement | None) -> FastModeReport:
        runs_on = list(dict.fromkeys(executes(m.runtime) for m in models))
        short = self.contract.shortfalls(found) if found is not None else []
        return FastModeReport(precision=inf.precision, runs_on=runs_on, calibration=notes,
                              agreement=found, shortfalls=short)

    @staticmethod
    def _say(report: FastModeReport, inf: InferenceOptions) -> None:
        if report.met:
            log.info(report.line(), extra={"notice": True})
            return
        if inf.fast_below_contract == "stop":
            raise BelowAccuracyContractError(
                report.line(),
                hint="rerun with --precision fp32 for exact results, or add "
                "--fast_below_contract continue to accept it",
            )
        log.warning("%s; going on (--fast_below_contract continue)", report.line())

    def _predict(self, request: PredictRequest, models: Sequence[LoadedModel],
                 inf: InferenceOptions, source: FrameInput, windows: Sequence[Sequence[Key]],
                 records: dict[Key, FrameRecord] | None = None) -> list[SampleFrame]:
        """Predict the sampled frames (kept as ``records`` too when given); with tracking,
        each window on a fresh tracker."""
        stage = build_stage(list(models), inf, self.resizer)
        wanted = {k for w in windows for k in w}
        got: dict[Key, FrameResult] = {}
        done = set(source.keys()) - wanted
        jobs = (j for j in source.jobs(done) if not j.resumed)

        def keep(res: FrameResult) -> None:
            got[(res.job.video_index, res.job.frame_idx)] = res
            if records is not None:
                records[(res.job.video_index, res.job.frame_idx)] = frame_record(res,
                                                                                stage.tracks)

        run_pipeline(jobs, stage, batch_size=inf.batch_size, on_frame=keep,
                     queue_maxsize=inf.queue_maxsize)
        tracking = request.tracking
        track = tracking is not None and stage.trackable and self.tracker_factory is not None
        out: list[SampleFrame] = []
        for wi, window in enumerate(windows):
            tracked: list[list[Instance]] = [list(got[k].instances) for k in window]
            if track:
                assert tracking is not None and self.tracker_factory is not None
                tracker = self.tracker_factory(
                    tracking.resolved(stage.output_skeleton.n_nodes), inf.max_instances)
                use_image = tracking.flow.use_flow
                tracked = [tracker.track(insts, k[1], image=got[k].job.image if use_image
                                         else None) for k, insts in zip(window, tracked,
                                                                        strict=True)]
                frames = tracker.finalize([LabeledFrame(k[0], k[1], list(insts))
                                           for k, insts in zip(window, tracked, strict=True)])
                by_key = {(f.video_index, f.frame_idx): f.instances for f in frames}
                tracked = [list(by_key.get(k, [])) for k in window]
            n_nodes = stage.output_skeleton.n_nodes
            for insts in tracked:
                pts = (np.stack([np.asarray(i.points, np.float64) for i in insts])
                       if insts else np.zeros((0, n_nodes, 2)))
                tracks = tuple(i.track for i in insts) if track else None
                out.append(SampleFrame(points=pts, tracks=tracks, window=wi))
        return out
