"""PredictUseCase: run one or two models over an input and produce labeled frames.

The use case resolves the input (video or labels file), selects frames, streams them through
:func:`pose_app.pipeline.run_pipeline`, optionally tracks identities, and returns a
:class:`pose_app.dataset.Dataset` ready to be written. Every collaborator is injected.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from pose_app.dataset import Dataset, VideoRef
from pose_app.exported import EXPORTED_PREFIX, build_exported_stage
from pose_app.options import FrameSelection, InferenceOptions, TrackingOptions
from pose_app.pipeline import FrameResult, run_pipeline
from pose_app.ports.chunks import ChunkStore, FrameRecord, NoChunks
from pose_app.ports.labels import LabelsStore
from pose_app.ports.models import LoadedModel, ModelLoader
from pose_app.ports.progress import NullProgress, ProgressReporter
from pose_app.ports.runtime import ImageResizer
from pose_app.ports.video import FrameSource, VideoOpener
from pose_app.stages import FrameJob, Stage, TopDownStage, build_stage
from pose_domain.errors import (
    FrameSelectionError,
    InvalidOptionError,
    UnsupportedInputError,
)
from pose_domain.frames import resolve_frames
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track

log = logging.getLogger("pose")

LABELS_SUFFIXES = (".slp",)

MODEL_TYPE_NAMES = {
    "SingleInstanceStage": "single_instance",
    "BottomUpStage": "bottom_up",
    "MultiClassBottomUpStage": "bottom_up_multi_class",
    "CentroidOnlyStage": "centroid",
}


def is_labels_path(path: str) -> bool:
    return str(path).lower().endswith(LABELS_SUFFIXES)


@attrs.frozen(kw_only=True)
class PredictRequest:
    data_path: str
    model_paths: tuple[str, ...]
    inference: InferenceOptions = attrs.field(factory=InferenceOptions)
    tracking: TrackingOptions | None = None
    selection: FrameSelection = attrs.field(factory=FrameSelection)
    frames_spec: str = ""
    video_dataset: str | None = None
    video_input_format: str = "channels_last"
    cli_args: dict[str, Any] | None = None
    resume: bool = False

    def fingerprint(self) -> dict[str, Any]:
        """What must be equal for ``--resume`` to continue a previous run."""
        return {
            "data_path": os.path.abspath(self.data_path),
            "model_paths": [os.path.abspath(p) for p in self.model_paths],
            "inference": attrs.asdict(self.inference),
            "selection": attrs.asdict(self.selection),
            "frames": self.frames_spec,
        }


@attrs.define(eq=False, kw_only=True)
class PredictResult:
    dataset: Dataset
    frames_processed: int
    frames_skipped: list[tuple[int, int]]
    seconds: float
    model_type: str


TrackerFactory = Callable[[TrackingOptions, int | None], Any]


@attrs.define(eq=False, kw_only=True)
class PredictUseCase:
    """Predict poses (and optionally identities) on one input.

    Attributes:
        loader: Loads model folders into spec + runtime.
        resizer: Antialiased uint8 resize (reference-exact).
        labels_store: Reads ``.slp`` inputs.
        open_video: Opens video files.
        tracker_factory: ``(TrackingOptions, max_instances) -> tracker`` with
            ``track(instances, frame_idx, image=None)`` and ``finalize(frames)``.
        progress: Progress reporter.
        system_info: Provenance facts about the machine and library versions.
    """

    loader: ModelLoader
    resizer: ImageResizer
    labels_store: LabelsStore
    open_video: VideoOpener
    tracker_factory: TrackerFactory | None = None
    progress: ProgressReporter = attrs.field(factory=NullProgress)
    system_info: dict[str, Any] | Callable[[], dict[str, Any]] = attrs.field(factory=dict)
    on_result: Callable[[FrameResult], None] | None = None
    chunks: ChunkStore = attrs.field(factory=NoChunks)
    chunk_size: int = 100

    def load_models(self, request: PredictRequest) -> list[LoadedModel]:
        return [m for p in request.model_paths for m in self.loader.load(p, request.inference)]

    def __call__(self, request: PredictRequest,
                 models: Sequence[LoadedModel] | None = None) -> PredictResult:
        start = time.time()
        started_at = _dt.datetime.now().isoformat()
        models = list(models) if models is not None else self.load_models(request)
        if models and models[0].spec.model_type.startswith(EXPORTED_PREFIX):
            stage = build_exported_stage(list(models), request.inference, self.resizer)
        else:
            stage = build_stage(models, request.inference, self.resizer)
        source = self._resolve_input(request, stage)
        tracker = None
        if request.tracking is not None and stage.trackable:
            if self.tracker_factory is None:
                raise InvalidOptionError("tracking was requested but no tracker is available")
            tracking = request.tracking.resolved(stage.output_skeleton.n_nodes)
            tracker = self.tracker_factory(tracking, request.inference.max_instances)

        results: list[FrameResult] = []
        skipped: list[tuple[int, int]] = []
        calls_tracker_on_empty = stage.keeps_empty_frames
        use_image = bool(request.tracking is not None and request.tracking.use_flow)
        stored = {(r.video_index, r.frame_idx): r
                  for r in self.chunks.begin(request.fingerprint(), request.resume)}
        stage_tracks = stage.tracks
        if stored:
            log.info("--resume: %d frame(s) restored from persisted chunks; predicting the rest",
                     len(stored))
        pending: list[FrameRecord] = []
        last_video: list[int] = []
        resumed_count = [0]

        def on_frame(res: FrameResult) -> None:
            job = res.job
            if job.resumed:
                resumed_count[0] += 1
                rec = stored[(job.video_index, job.frame_idx)]
                res.decoded = rec.decoded
                res.instances = _instances_from_record(rec, stage_tracks)
            else:
                pending.append(_record(res, stage_tracks))
                if len(pending) >= self.chunk_size:
                    self.chunks.append(pending[:])
                    pending.clear()
            if not res.decoded:
                skipped.append((job.video_index, job.frame_idx))
            new_video = bool(last_video) and last_video[0] != job.video_index
            if tracker is not None and new_video and hasattr(tracker, "reset"):
                tracker.reset()  # identities do not carry across videos (ADR-0031)
            last_video[:] = [job.video_index]
            if tracker is not None and (res.instances or calls_tracker_on_empty):
                image = job.image if use_image else None
                res.instances = list(tracker.track(res.instances, job.frame_idx, image=image))
            job.image = None  # release the frame early
            results.append(res)
            if self.on_result is not None:
                self.on_result(res)
            self.progress.advance(1)

        self.progress.start(source.n_jobs, description=os.path.basename(request.data_path))
        try:
            run_pipeline(
                source.jobs(set(stored), decode_skipped=use_image),
                stage,
                batch_size=request.inference.batch_size,
                on_frame=on_frame,
                queue_maxsize=request.inference.queue_maxsize,
            )
            self.chunks.append(pending[:])
            pending.clear()
        finally:
            self.progress.finish()
            source.close()

        frames = self._assemble(results, stage, request)
        if tracker is not None and hasattr(tracker, "finalize"):
            frames = list(tracker.finalize(frames))
        if request.selection.no_empty_frames:
            frames = [f for f in frames if f.instances]
        tracks = list(stage.tracks)
        if tracker is not None:
            tracks += list(getattr(tracker, "tracks", []))
        seconds = time.time() - start
        model_type = self._model_type_name(stage)
        dataset = Dataset(
            videos=source.videos,
            skeleton=stage.output_skeleton,
            frames=frames,
            tracks=tracks,
            suggestions=source.suggestions,
            source_path=request.data_path,
        )
        dataset.provenance = self._provenance(
            request, models, model_type, started_at, seconds, len(results), skipped,
            source.method, resumed_count[0],
        )
        return PredictResult(dataset=dataset, frames_processed=len(results) - len(skipped),
                             frames_skipped=skipped, seconds=seconds, model_type=model_type)

    # -- input --------------------------------------------------------------------------
    def _resolve_input(self, request: PredictRequest, stage: Stage) -> _Source:
        gt_mode = isinstance(stage, TopDownStage) and stage.gt_mode
        sel = request.selection
        if is_labels_path(request.data_path):
            ds = self.labels_store.load(request.data_path)
            return _LabelsSource(ds, request, self.labels_store, gt_mode)
        if gt_mode:
            raise UnsupportedInputError(
                "a centered-instance model alone needs a .slp with instances to crop around",
                hint="add a centroid model (-m) or give a labeled .slp as input",
            )
        if any((sel.only_labeled_frames, sel.only_suggested_frames, sel.exclude_user_labeled,
                sel.only_predicted_frames)):
            log.warning("frame filters need a .slp input; ignoring them for a video")
        src = self.open_video(request.data_path, dataset=request.video_dataset,
                              input_format=request.video_input_format)
        return _VideoSource(src, request.frames_spec)

    # -- output -------------------------------------------------------------------------
    def _assemble(self, results: list[FrameResult], stage: Stage,
                  request: PredictRequest) -> list[LabeledFrame]:
        frames: list[LabeledFrame] = []
        for res in results:
            insts: list[Instance] = list(res.job.keep_instances) + list(res.instances)
            if not res.instances and not stage.keeps_empty_frames and not res.job.keep_instances:
                continue
            frames.append(LabeledFrame(res.job.video_index, res.job.frame_idx, insts))
        frames.sort(key=lambda f: (f.video_index, f.frame_idx))
        return frames

    @staticmethod
    def _model_type_name(stage: Stage) -> str:
        if isinstance(stage, TopDownStage):
            return "top_down_multi_class" if stage.multiclass else "top_down"
        return MODEL_TYPE_NAMES.get(type(stage).__name__, type(stage).__name__)

    def _provenance(self, request: PredictRequest, models: Sequence[LoadedModel],
                    model_type: str, started_at: str, seconds: float, n_frames: int,
                    skipped: list[tuple[int, int]], method: str,
                    resumed: int = 0) -> dict[str, Any]:
        inf = request.inference
        prov: dict[str, Any] = {
            "inference_start_timestamp": started_at,
            "inference_end_timestamp": _dt.datetime.now().isoformat(),
            "inference_runtime_seconds": round(seconds, 6),
            "model_paths": [os.path.abspath(p) for p in request.model_paths],
            "model_type": model_type,
            "models": [
                {
                    "path": os.path.abspath(m.spec.path),
                    "model_type": m.spec.model_type,
                    "backbone": m.spec.backbone,
                    "format": m.spec.source_format,
                    "runtime": m.runtime.name,
                }
                for m in models
            ],
            "source_file": os.path.abspath(request.data_path),
            "frame_selection": {
                "method": method,
                "frames_processed": n_frames - len(skipped),
                "frames_skipped": len(skipped),
                "skipped_frames": [list(s) for s in skipped],
                "frames_resumed": resumed,
            },
            "inference_config": attrs.asdict(inf),
            "tracking_config": attrs.asdict(request.tracking) if request.tracking else None,
            "device": inf.device,
            "runtime": sorted({m.runtime.name for m in models}),
            "system_info": {
                "python_version": platform.python_version(),
                "platform": platform.platform(),
                **(self.system_info() if callable(self.system_info) else self.system_info),
            },
        }
        if request.cli_args is not None:
            prov["cli_args"] = _json_safe(request.cli_args)
        return {k: v for k, v in prov.items() if v is not None}


def _json_safe(value: Any) -> Any:
    """Plain JSON types only (provenance is stored as JSON)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _record(res: FrameResult, tracks: list[Track]) -> FrameRecord:
    insts = res.instances
    n_nodes = insts[0].n_nodes if insts else 0
    ids = {id(t): i for i, t in enumerate(tracks)}
    return FrameRecord(
        video_index=res.job.video_index,
        frame_idx=res.job.frame_idx,
        decoded=res.decoded,
        points=np.stack([i.points for i in insts]) if insts else np.zeros((0, n_nodes, 2)),
        point_scores=(np.stack([i.point_scores for i in insts]) if insts
                      else np.zeros((0, n_nodes))),
        scores=np.array([i.score for i in insts], np.float64),
        tracking_scores=np.array([i.tracking_score for i in insts], np.float64),
        track_ids=np.array([ids.get(id(i.track), -1) for i in insts], np.int64),
    )


def _instances_from_record(rec: FrameRecord, tracks: list[Track]) -> list[PredictedInstance]:
    out = []
    for k in range(len(rec.scores)):
        tid = int(rec.track_ids[k])
        out.append(PredictedInstance(
            points=rec.points[k], point_scores=rec.point_scores[k], score=float(rec.scores[k]),
            track=tracks[tid] if 0 <= tid < len(tracks) else None,
            tracking_score=float(rec.tracking_scores[k]),
        ))
    return out


class _Source:
    """Frames to process plus what the output needs to know about them."""

    videos: list[VideoRef]
    suggestions: list[Any]
    method: str
    n_jobs: int

    def jobs(self, done: set[tuple[int, int]] | None = None,
             decode_skipped: bool = False) -> Iterator[FrameJob]:
        """Frames in order; those in ``done`` come back with ``resumed=True`` (and no image
        unless ``decode_skipped``)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class _VideoSource(_Source):
    def __init__(self, src: FrameSource, frames_spec: str) -> None:
        self.src = src
        indices, outside = resolve_frames(frames_spec, src.n_frames)
        if outside:
            log.warning(
                "--frames: %d selected frame(s) are past the end of the video (%d frames); "
                "skipping them", len(outside), src.n_frames,
            )
        self.indices = indices
        self.videos = [src.video_ref()]
        self.suggestions = []
        self.method = "specified" if frames_spec else "all"
        self.n_jobs = len(indices)

    def jobs(self, done: set[tuple[int, int]] | None = None,
             decode_skipped: bool = False) -> Iterator[FrameJob]:
        done = done or set()
        todo = [i for i in self.indices if (0, i) not in done or decode_skipped]
        frames = self.src.iter_frames(todo)
        for idx in self.indices:
            if (0, idx) in done:
                image = next(frames)[1] if decode_skipped else None
                yield FrameJob(video_index=0, frame_idx=idx, image=image, resumed=True)
                continue
            got, image = next(frames)
            yield FrameJob(video_index=0, frame_idx=got, image=image)

    def close(self) -> None:
        self.src.close()


class _LabelsSource(_Source):
    """Frames of a labels file (facts §4.2–4.3, the reference ``track`` semantics)."""

    def __init__(self, ds: Dataset, request: PredictRequest, store: LabelsStore,
                 gt_mode: bool) -> None:
        self.ds = ds
        self.store = store
        self.videos = list(ds.videos)
        self.suggestions = list(ds.suggestions)
        sel = request.selection
        self._opened: dict[int, FrameSource] = {}
        vi = sel.video_index
        if vi is not None and not 0 <= vi < len(ds.videos):
            raise InvalidOptionError(
                f"--video_index {vi} is out of range: the labels have {len(ds.videos)} video(s)",
                hint=f"use 0-{len(ds.videos) - 1}",
            )
        by_key = {(f.video_index, f.frame_idx): f for f in ds.frames}
        self.items: list[tuple[int, int, LabeledFrame | None]] = []
        if vi is not None and not gt_mode:
            video = ds.videos[vi]
            src = self._source(vi)
            n = src.n_frames
            indices, outside = resolve_frames(request.frames_spec, n)
            if outside:
                log.warning("--frames: %d frame(s) past the end of video %d", len(outside), vi)
            if sel.exclude_user_labeled:
                labeled = {f.frame_idx for f in ds.frames
                           if f.video_index == vi and f.has_user_instances}
                indices = [i for i in indices if i not in labeled]
            self.items = [(vi, i, by_key.get((vi, i))) for i in indices]
            self.method = "specified" if request.frames_spec else "all"
            del video
        else:
            frames = list(ds.frames)
            if vi is not None:
                frames = [f for f in frames if f.video_index == vi]
            self.method = "all"
            if sel.only_labeled_frames:
                frames = [f for f in frames if f.has_user_instances]
                self.method = "labeled"
            elif sel.only_suggested_frames:
                frames = [
                    LabeledFrame(s.video_index, s.frame_idx, [])
                    for s in ds.suggestions
                    if not (by_key.get((s.video_index, s.frame_idx))
                            and by_key[(s.video_index, s.frame_idx)].has_user_instances)
                ]
                self.method = "suggested"
            elif sel.exclude_user_labeled:
                frames = [f for f in frames if not f.has_user_instances]
            elif sel.only_predicted_frames:
                frames = [f for f in frames if f.predicted_instances]
                self.method = "predicted"
            if gt_mode:
                frames = [f for f in frames if f.instances]
            if request.frames_spec:
                positions, outside = resolve_frames(request.frames_spec, len(frames))
                frames = [frames[i] for i in positions]
                self.method = "specified"
            self.items = [(f.video_index, f.frame_idx, f) for f in frames]
        if not self.items and not ds.frames and vi is None:
            raise UnsupportedInputError(
                f"{request.data_path} has no labeled frames to predict on",
                hint="give --video_index N to predict on every frame of one of its videos",
            )
        if not self.items:
            raise FrameSelectionError(
                f"no frames of {request.data_path} match the frame selection",
                hint="check --frames, --video_index and the frame filters",
            )
        self.gt_mode = gt_mode
        self.only_labeled = sel.only_labeled_frames
        self.n_jobs = len(self.items)

    def _source(self, video_index: int) -> FrameSource:
        if video_index not in self._opened:
            self._opened[video_index] = self.store.open_video(self.ds.videos[video_index])
        return self._opened[video_index]

    def jobs(self, done: set[tuple[int, int]] | None = None,
             decode_skipped: bool = False) -> Iterator[FrameJob]:
        done = done or set()
        for vi, fi, lf in self.items:
            resumed = (vi, fi) in done
            image = None
            if not resumed or decode_skipped:
                for _, img in self._source(vi).iter_frames([fi]):
                    image = img
            keep = list(lf.user_instances) if lf is not None else []
            gt: list[Instance] = []
            if self.gt_mode and lf is not None:
                gt = list(lf.user_instances) if self.only_labeled else list(lf.instances)
            yield FrameJob(video_index=vi, frame_idx=fi, image=image, gt_instances=gt,
                           keep_instances=keep, resumed=resumed)

    def close(self) -> None:
        for src in self._opened.values():
            src.close()
