"""PredictUseCase: run one or two models over an input and write the labeled frames.

Per request: open the input and select frames, restore the frames a previous run persisted
for the same output (``--resume``), stream the rest through
:func:`pose_app.pipeline.run_pipeline` while persisting them in chunks, track identities,
write the result through the writer port, and drop the chunks. Every collaborator is injected
when the use case is built; nothing changes it afterwards (ADR-0115).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import os
import time
from collections.abc import Callable, Sequence

import attrs

from pose_app.options import InferenceOptions
from pose_app.pipeline import run_pipeline
from pose_app.ports.chunks import ChunkStore, NoChunks
from pose_app.ports.labels import LabelsStore
from pose_app.ports.models import LoadedModel, ModelLoader
from pose_app.ports.output import DatasetWriter
from pose_app.ports.progress import NullProgress, ProgressReporter
from pose_app.ports.runtime import ImageResizer
from pose_app.ports.stop import NeverStop, StopToken
from pose_app.ports.stream import FrameSink
from pose_app.ports.tracking import Tracker, TrackerFactory
from pose_app.ports.video import VideoOpener
from pose_app.predict.collect import FrameCollector, assemble
from pose_app.predict.fastmode import FastModeCheck
from pose_app.predict.finish import finish_dataset
from pose_app.predict.inputs import FrameInput, open_input
from pose_app.predict.provenance import RunFacts, SystemInfo, build_provenance
from pose_app.predict.records import ChunkWriter
from pose_app.predict.request import PredictRequest, PredictResult
from pose_app.preprocess import resize_note
from pose_app.stages import AnyStage, build_stage
from pose_domain.errors import InvalidOptionError, RunInterrupted

log = logging.getLogger("pose")

ChunkStoreFactory = Callable[[str], ChunkStore]


def no_chunks(output_path: str) -> ChunkStore:
    """The default chunk store factory: nothing is persisted."""
    return NoChunks()


@attrs.frozen(kw_only=True)
class PredictUseCase:
    """Predict poses (and optionally identities) on one input per call.

    Attributes:
        loader: Loads model folders into spec + runtime.
        resizer: Antialiased uint8 resize (reference-exact).
        labels_store: Reads ``.slp`` inputs.
        open_video: Opens video files.
        tracker_factory: ``(TrackingOptions, max_instances) -> Tracker``, one per call.
        progress: Progress reporter.
        system_info: Provenance facts about the machine and library versions.
        sink: Gets every finished frame's predictions (on the post-processing thread).
        chunk_store_for: ``output path -> ChunkStore`` persisting the finished frames of the
            run writing that output (default: nothing is persisted).
        writer: Writes the result to ``request.output_path``.
        chunk_size: Frames per persisted chunk.
        stop: Polled between frames; once set, the run saves what it predicted and raises
            :class:`RunInterrupted`.
    """

    loader: ModelLoader
    resizer: ImageResizer
    labels_store: LabelsStore
    open_video: VideoOpener
    tracker_factory: TrackerFactory | None = None
    progress: ProgressReporter = attrs.field(factory=NullProgress)
    system_info: SystemInfo = attrs.field(factory=dict)
    sink: FrameSink | None = None
    chunk_store_for: ChunkStoreFactory = no_chunks
    writer: DatasetWriter | None = None
    chunk_size: int = 100
    stop: StopToken = attrs.field(factory=NeverStop)

    def load_models(self, model_paths: Sequence[str],
                    inference: InferenceOptions) -> list[LoadedModel]:
        """Load every model folder (an exported top-down folder gives two models)."""
        return [m for p in model_paths for m in self.loader.load(p, inference)]

    def __call__(self, request: PredictRequest,
                 models: Sequence[LoadedModel] | None = None) -> PredictResult:
        """Run ``request``; with ``request.output_path`` also persist, write and clean up.

        Args:
            request: The input, options and output.
            models: Models already loaded (by :meth:`load_models`) to reuse across inputs.

        Raises:
            RunInterrupted: The stop token was set; the predicted frames are persisted.
        """
        loaded = list(models) if models is not None else self.load_models(
            request.model_paths, request.inference)
        out = request.output_path
        if out is not None and self.writer is None:
            raise InvalidOptionError(f"cannot write {out}: this predictor has no writer",
                                     hint="build the use case with a writer")
        chunks = self.chunk_store_for(out) if out is not None else NoChunks()
        result = self._predict(request, loaded, chunks, persists=out is not None)
        if out is not None and self.writer is not None:
            self.writer.write(result.dataset, out, request.output_format)
            chunks.clear()
            result.output_path = out
        return result

    def _tracker(self, request: PredictRequest, stage: AnyStage) -> Tracker | None:
        if request.tracking is None or not stage.trackable:
            return None
        if self.tracker_factory is None:
            raise InvalidOptionError("tracking was requested but no tracker is available")
        tracking = request.tracking.resolved(stage.output_skeleton.n_nodes)  # predict's "auto"
        return self.tracker_factory(tracking, request.inference.max_instances)

    @staticmethod
    def _say_resize(source: FrameInput, stage: AnyStage) -> None:
        """One line when the model's preprocessing resizes the frames (sleap#2682)."""
        sizing = getattr(stage, "sizing", None)
        if sizing is None or not source.videos:
            return
        video = source.videos[0]
        note = resize_note(video.height, video.width, sizing)
        if note:
            log.warning("%s", note)

    def _predict(self, request: PredictRequest, models: list[LoadedModel],
                 chunks: ChunkStore, persists: bool) -> PredictResult:
        start = time.time()
        started_at = _dt.datetime.now().isoformat()
        stage = build_stage(models, request.inference, self.resizer)
        source = open_input(request, gt_mode=stage.needs_gt_centroids,
                            labels_store=self.labels_store, open_video=self.open_video,
                            keep_instances=stage.keeps_input_instances)
        self._say_resize(source, stage)
        tracker = self._tracker(request, stage)
        try:
            fast = FastModeCheck(loader=self.loader, resizer=self.resizer,
                                 tracker_factory=self.tracker_factory)(request, models, source)
        except BaseException:
            source.close()
            raise
        use_image = bool(request.tracking is not None and request.tracking.flow.use_flow)
        stored = {(r.video_index, r.frame_idx): r
                  for r in chunks.begin(request.fingerprint(), request.resume)}
        if stored:
            log.info("--resume: %d frame(s) restored from persisted chunks; predicting the rest",
                     len(stored))
        writer = ChunkWriter(chunks, self.chunk_size, restored=len(stored),
                             progress=self.progress if persists else None)
        # the fast check's own predictions of its sample are not predicted again (ADR-0181)
        sampled = {k: r for k, r in (fast.predicted if fast else {}).items() if k not in stored}
        # predict keeps (and tracks) every frame; track as the model kind's reference does
        keep_empty = stage.keeps_empty_frames or request.selection.empty_frames == "keep"
        collector = FrameCollector(
            stored={**stored, **sampled}, stage_tracks=stage.tracks, chunks=writer,
            tracker=tracker, track_empty=keep_empty, track_images=use_image,
            sink=self.sink, progress=self.progress,
        )
        self.progress.start(source.n_jobs, description=os.path.basename(request.data_path))
        try:
            run_pipeline(
                source.jobs(set(stored) | set(sampled), decode_skipped=use_image),
                stage,
                batch_size=request.inference.batch_size,
                on_frame=collector,
                queue_maxsize=request.inference.queue_maxsize,
                stop=self.stop.is_set,
            )
        except BaseException:
            # a failure, or a cancelled worker (Ray raises KeyboardInterrupt in the task): the
            # frames predicted since the last chunk are persisted too, for --resume
            with contextlib.suppress(Exception):
                writer.flush()
            raise
        else:
            writer.flush()
        finally:
            self.progress.finish()
            source.close()
        if self.stop.is_set() and len(collector.frames) < source.n_jobs:
            raise RunInterrupted(frames_saved=writer.saved, frames_total=source.n_jobs,
                                 last_frame_idx=collector.last_frame_idx)

        dataset = finish_dataset(
            assemble(collector.frames, keep_empty), stage=stage,
            tracker=tracker, drop_empty=request.selection.no_empty_frames,
            videos=source.videos, suggestions=source.suggestions,
            source_path=request.data_path)
        dataset.run_frames = [(f.job.video_index, f.job.frame_idx) for f in collector.frames]
        seconds = time.time() - start
        skipped = collector.skipped
        facts = RunFacts(model_type=stage.model_type, started_at=started_at, seconds=seconds,
                         n_frames=len(collector.frames), skipped=skipped,
                         method=source.method, resumed=collector.resumed - len(sampled),
                         fast_mode=None if fast is None else fast.as_provenance())
        dataset.provenance = build_provenance(request, models, facts, self.system_info,
                                              [v.filename for v in source.videos])
        return PredictResult(dataset=dataset,
                             frames_processed=len(collector.frames) - len(skipped),
                             frames_skipped=skipped, seconds=seconds,
                             model_type=stage.model_type)
