"""The composition root: the one place that instantiates adapters and builds use cases.

Every entry (the CLI's local, batch and track-only paths, Ray workers, the Python API) asks
these builders for a complete use case; what a caller wants to replace (a fake runtime loader,
a custom video opener, an in-memory labels store…) goes in :class:`Overrides`. Heavy adapters
are imported inside the builders, so importing this module stays cheap (ADR-0007).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:
    from pose_app.batch import BatchUseCase, Finalize
    from pose_app.evaluate import EvaluateUseCase
    from pose_app.model import ModelSpec
    from pose_app.options import InferenceOptions, OutputOptions, RunOptions, TrackingOptions
    from pose_app.ports.chunks import ChunkStore
    from pose_app.ports.executor import Executor, Work
    from pose_app.ports.flow import OpticalFlow
    from pose_app.ports.labels import LabelsStore
    from pose_app.ports.models import LoadedModel, ModelLoader
    from pose_app.ports.output import DatasetWriter
    from pose_app.ports.progress import ProgressReporter
    from pose_app.ports.runtime import ImageResizer, NetworkRuntime
    from pose_app.ports.stop import StopToken
    from pose_app.ports.stream import FrameSink
    from pose_app.ports.tracking import Tracker, TrackerFactory
    from pose_app.ports.video import VideoOpener
    from pose_app.predict import PredictUseCase
    from pose_app.qc import QcUseCase
    from pose_app.render import RenderUseCase
    from pose_app.stream import StreamUseCase
    from pose_app.track import TrackOnlyUseCase
    from pose_domain.tracking.kalman import KalmanBackend


@attrs.frozen(kw_only=True)
class Overrides:
    """The caller's adapters, replacing the real ones (None = the real one; ADR-0142).

    Attributes:
        loader: Loads model folders into spec + runtime (a fake loader, a model registry).
        runtime: ``spec -> NetworkRuntime``: the model folders' specs, run by the caller's
            runtime (ignored when ``loader`` is given).
        resizer: Antialiased uint8 resize.
        labels_store: Reads ``.slp`` inputs (an in-memory ``sio.Labels``…).
        open_video: Opens video inputs (a camera SDK's recordings, arrays in memory…).
        tracker_factory: ``(TrackingOptions, max_instances) -> Tracker``.
        writer: Writes each run's dataset (a database, a message queue…).
        sink: Gets every frame's predictions as soon as they are made (a callback, a
            publisher over a socket).
        progress: Where runs report progress.
        stop: Polled between frames; once set, a run ends with what it predicted saved.
    """

    loader: ModelLoader | None = None
    runtime: Callable[[ModelSpec], NetworkRuntime] | None = None
    resizer: ImageResizer | None = None
    labels_store: LabelsStore | None = None
    open_video: VideoOpener | None = None
    tracker_factory: TrackerFactory | None = None
    writer: DatasetWriter | None = None
    sink: FrameSink | None = None
    progress: ProgressReporter | None = None
    stop: StopToken | None = None


#: The public name (``pose.Adapters``).
Adapters = Overrides

CHUNK_FRAMES_ENV = "POSE_CHUNK_FRAMES"
DEFAULT_CHUNK_FRAMES = 100


def chunk_frames_from_env() -> int:
    """Frames per persisted chunk: ``$POSE_CHUNK_FRAMES`` (a positive integer) or 100."""
    raw = os.environ.get(CHUNK_FRAMES_ENV, "").strip()
    if not raw:
        return DEFAULT_CHUNK_FRAMES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidOptionError(
            f"{CHUNK_FRAMES_ENV}={raw!r} is not a positive integer",
            hint=f"unset it or give a number of frames such as {DEFAULT_CHUNK_FRAMES}",
        )
    return value


def make_progress(kind: str) -> ProgressReporter:
    """The progress reporter for ``--progress`` (rich, json or none) or ``gui``."""
    from pose_adapters.progress import make_progress as _make

    return _make(kind)


def labels_store() -> LabelsStore:
    from pose_adapters.slp import SlpLabelsStore

    return SlpLabelsStore()


def make_flow(options: TrackingOptions) -> OpticalFlow:
    """The optical-flow adapter for ``--use_flow``."""
    from pose_adapters.flow import LucasKanadeFlow

    return LucasKanadeFlow(img_scale=options.of_img_scale, window_size=options.of_window_size,
                           max_levels=options.of_max_levels)


def tracker_factory(options: TrackingOptions, max_instances: int | None) -> Tracker:
    """A tracker for the prediction pipeline (with optical flow when asked)."""
    from pose_app.track import build_tracker

    flow = make_flow(options) if options.use_flow else None
    kalman = make_kalman() if options.use_kalman else None
    return build_tracker(options, max_instances=max_instances, flow=flow,
                         kalman_backend=kalman)


def make_kalman() -> KalmanBackend:
    """The pykalman backend for ``--use_kalman`` (one line naming pose[kalman] without it)."""
    from pose_adapters.kalman import PykalmanBackend

    return PykalmanBackend()


def chunk_store_for(output_path: str) -> ChunkStore:
    """Crash-safe chunks of one output, in ``<output>.partial/``."""
    from pose_adapters.chunks import NpzChunkStore, partial_dir_for

    return NpzChunkStore(partial_dir_for(output_path))


def _loader(o: Overrides) -> ModelLoader:
    if o.loader is not None:
        return o.loader
    if o.runtime is not None:
        from pose_adapters.models import CallerRuntimeLoader

        return CallerRuntimeLoader(o.runtime)
    from pose_adapters.models import ModelFolderLoader

    return ModelFolderLoader()


def _resizer(o: Overrides) -> ImageResizer:
    if o.resizer is not None:
        return o.resizer
    from pose_adapters.torch.resize import TorchResizer

    return TorchResizer()


def load_models(model_paths: Sequence[str], inference: InferenceOptions,
                overrides: Overrides | None = None) -> list[LoadedModel]:
    """Every model of ``model_paths`` (an exported top-down folder gives two)."""
    loader = _loader(overrides or Overrides())
    return [m for p in model_paths for m in loader.load(p, inference)]


def build_predict_use_case(
    overrides: Overrides | None = None,
    *,
    progress: ProgressReporter | None = None,
    stop: StopToken | None = None,
    output: OutputOptions | None = None,
    centroid_output: str = "instance",
) -> PredictUseCase:
    """:class:`pose_app.predict.PredictUseCase` with the real adapters, or ``overrides``.

    The use case owns each output's lifecycle (resume from ``<output>.partial/``, predict,
    write, clear the chunks); ``stop`` ends a run early with everything predicted saved.
    ``progress`` and ``stop`` given here win over those of ``overrides``.
    """
    from pose.system_info import system_info
    from pose_adapters.slp import PredictionWriter
    from pose_app.ports.progress import NullProgress
    from pose_app.ports.stop import NeverStop
    from pose_app.predict import PredictUseCase

    o = overrides or Overrides()
    if o.open_video is None:
        from pose_adapters.video import open_video_file

        open_video: VideoOpener = open_video_file
    else:
        open_video = o.open_video
    if o.writer is not None:
        writer: DatasetWriter = o.writer
    else:
        writer = (PredictionWriter() if output is None
                  else _outputs_writer(output, centroid_output))
    return PredictUseCase(
        loader=_loader(o),
        resizer=_resizer(o),
        labels_store=o.labels_store or labels_store(),
        open_video=open_video,
        tracker_factory=o.tracker_factory or tracker_factory,
        progress=progress or o.progress or NullProgress(),
        system_info=system_info,
        sink=o.sink,
        chunk_store_for=chunk_store_for,
        writer=writer,
        chunk_size=chunk_frames_from_env(),
        stop=stop or o.stop or NeverStop(),
    )


def build_stream_use_case(overrides: Overrides | None = None, *,
                          output: OutputOptions | None = None,
                          stop: StopToken | None = None) -> StreamUseCase:
    """:class:`pose_app.stream.StreamUseCase` (live sources, iterables) with the real
    adapters, or ``overrides``; it writes every ``--output_format`` of ``output``."""
    from pose_app.ports.stop import NeverStop
    from pose_app.stream import StreamUseCase

    o = overrides or Overrides()
    writer = o.writer
    if writer is None:
        from pose_app.options_output import OutputOptions as Output

        writer = _outputs_writer(output or Output(), "instance")
    return StreamUseCase(resizer=_resizer(o), tracker_factory=o.tracker_factory or tracker_factory,
                         writer=writer, sink=o.sink, stop=stop or o.stop or NeverStop())


def _outputs_writer(output: OutputOptions, centroid_output: str) -> DatasetWriter:
    from pose_adapters.slp import OutputsWriter

    return OutputsWriter(output, centroid_output)


def build_track_only_use_case(progress: ProgressReporter | None = None) -> TrackOnlyUseCase:
    """:class:`pose_app.track.TrackOnlyUseCase` with sleap-io storage and optical flow."""
    from pose.system_info import library_versions
    from pose_adapters.locks import FileOutputLocks
    from pose_app.ports.progress import NullProgress
    from pose_app.track import TrackOnlyUseCase

    return TrackOnlyUseCase(store=labels_store(), flow_factory=make_flow,
                            progress=progress or NullProgress(), versions=library_versions(),
                            locks=FileOutputLocks(), kalman_factory=make_kalman)


def make_executor(run: RunOptions, stop: StopToken | None = None) -> Executor:
    """``--executor``: this process, or Ray tasks (the Ray driver polls ``stop``)."""
    if run.executor == "ray":
        from pose_adapters.ray_executor import RayExecutor

        return RayExecutor(run.ray_address, num_cpus=run.cpus_per_task,
                           num_gpus=run.gpus_per_task, max_retries=run.max_retries, stop=stop)
    from pose_app.ports.executor import LocalExecutor

    return LocalExecutor()


def build_batch_use_case(
    *,
    executor: Executor,
    work: Work,
    manifest_path: str,
    run: RunOptions,
    finalize: Finalize | None,
) -> BatchUseCase:
    """:class:`pose_app.batch.BatchUseCase` with the executor, manifest and labels store."""
    from pose_adapters.locks import FileOutputLocks
    from pose_adapters.manifest import JsonManifestStore
    from pose_app.batch import BatchUseCase
    from pose_app.runs.plan import part_path, remove_part

    return BatchUseCase(
        executor=executor,
        work=work,
        manifest_store=JsonManifestStore(manifest_path),
        labels_store=labels_store(),
        exists=os.path.exists,
        remove=remove_part,
        part_path=part_path,
        progress=make_progress("gui" if run.gui else run.progress),
        finalize=finalize,
        locks=FileOutputLocks(),  # the driver locks the final outputs (ADR-0130)
    )


def build_evaluate_use_case() -> EvaluateUseCase:
    """``pose eval``: the evaluation use case wired to sleap-io loading and the metrics writer."""
    from pose_adapters.metrics_io import pair_videos, save_metrics
    from pose_app.evaluate import EvaluateUseCase

    return EvaluateUseCase(
        labels_store=labels_store(), pair_videos=pair_videos, write_metrics=save_metrics
    )


def output_lock(output_path: str) -> contextlib.AbstractContextManager[Any]:
    """Hold the one-writer lock of ``output_path`` for a ``with`` block (ADR-0130)."""
    from pose_adapters.locks import output_lock as lock

    return lock(output_path)


def build_qc_use_case() -> QcUseCase:
    """``pose qc``: identity QC with sleap-io loading, thumbnails and the HTML report."""
    from pose_adapters.metrics_io import pair_videos
    from pose_adapters.report import HtmlReportWriter, SleapIoThumbnails
    from pose_app.qc import QcUseCase

    return QcUseCase(loader=labels_store(), writer=HtmlReportWriter(),
                     thumbnails=SleapIoThumbnails(), pair_videos=pair_videos)


def build_render_use_case(progress: str) -> RenderUseCase:
    """``pose render``: overlay videos drawn by sleap-io."""
    from pose_adapters.report import SleapIoOverlayRenderer
    from pose_app.render import RenderUseCase

    return RenderUseCase(loader=labels_store(), renderer=SleapIoOverlayRenderer(),
                         progress=make_progress(progress))


def live_source(source: str, max_frames: int | None,
                open_capture: Callable[[int | str], Any] | None = None) -> Any:
    """Frames of a camera index or stream URL through OpenCV (``--max_frames`` at most)."""
    from pose_adapters.video.live import live_frames

    return live_frames(source, max_frames=max_frames, open_capture=open_capture)


def model_type(path: str) -> str:
    """The model type a model folder's training config declares (no weights are loaded)."""
    from pose_adapters.model_config import load_model_spec

    return load_model_spec(path).model_type
