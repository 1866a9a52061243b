"""The composition root: the one place that instantiates adapters and builds use cases.

Every entry (the CLI's local, batch and track-only paths, Ray workers, the Python API) asks
these builders for a complete use case; what a caller wants to replace (a fake runtime loader,
a custom video opener, an in-memory labels store…) goes in :class:`Overrides`. Heavy adapters
are imported inside the builders, so importing this module stays cheap (ADR-0007).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:
    from pose_app.batch import BatchUseCase, Chunk, Executor, Finalize, Job
    from pose_app.dataset import Dataset
    from pose_app.evaluate import EvaluateUseCase
    from pose_app.options import OutputOptions, RunOptions, TrackingOptions, TrackOptions
    from pose_app.ports.chunks import ChunkStore
    from pose_app.ports.flow import OpticalFlow
    from pose_app.ports.labels import LabelsStore
    from pose_app.ports.models import ModelLoader
    from pose_app.ports.progress import ProgressReporter
    from pose_app.ports.runtime import ImageResizer
    from pose_app.ports.video import VideoOpener
    from pose_app.predict import PredictUseCase, TrackerFactory
    from pose_app.track import Tracker, TrackOnlyUseCase
    from pose_domain.tracking.kalman import KalmanBackend


@attrs.frozen(kw_only=True)
class Overrides:
    """Collaborators that replace the real adapters (None = the real one)."""

    loader: ModelLoader | None = None
    resizer: ImageResizer | None = None
    labels_store: LabelsStore | None = None
    open_video: VideoOpener | None = None
    tracker_factory: TrackerFactory | None = None


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
    if kind == "gui":
        from pose_cli.gui_progress import GuiProgress

        return GuiProgress()
    from pose_cli.progress import make_progress as _make

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


def chunk_store(output_path: str | None) -> ChunkStore:
    """Crash-safe chunks in ``<output>.partial/`` (none without an output)."""
    from pose_app.ports.chunks import NoChunks

    if output_path is None:
        return NoChunks()
    from pose_adapters.chunks import NpzChunkStore, partial_dir_for

    return NpzChunkStore(partial_dir_for(output_path))


def build_predict_use_case(
    overrides: Overrides | None = None,
    *,
    progress: ProgressReporter | None = None,
    chunks: ChunkStore | None = None,
    on_result: Callable[[Any], None] | None = None,
) -> PredictUseCase:
    """:class:`pose_app.predict.PredictUseCase` with the real adapters, or ``overrides``."""
    from pose_app.ports.chunks import NoChunks
    from pose_app.ports.progress import NullProgress
    from pose_app.predict import PredictUseCase
    from pose_cli.system_info import system_info

    o = overrides or Overrides()
    if o.loader is None:
        from pose_adapters.models import ModelFolderLoader

        loader: ModelLoader = ModelFolderLoader()
    else:
        loader = o.loader
    if o.resizer is None:
        from pose_adapters.torch.resize import TorchResizer

        resizer: ImageResizer = TorchResizer()
    else:
        resizer = o.resizer
    if o.open_video is None:
        from pose_adapters.video import open_video_file

        open_video: VideoOpener = open_video_file
    else:
        open_video = o.open_video
    return PredictUseCase(
        loader=loader,
        resizer=resizer,
        labels_store=o.labels_store or labels_store(),
        open_video=open_video,
        tracker_factory=o.tracker_factory or tracker_factory,
        progress=progress or NullProgress(),
        system_info=system_info,
        on_result=on_result,
        chunks=chunks or NoChunks(),
        chunk_size=chunk_frames_from_env(),
    )


def build_track_only_use_case(progress: ProgressReporter | None = None) -> TrackOnlyUseCase:
    """:class:`pose_app.track.TrackOnlyUseCase` with sleap-io storage and optical flow."""
    from pose_app.ports.progress import NullProgress
    from pose_app.track import TrackOnlyUseCase
    from pose_cli.system_info import library_versions

    return TrackOnlyUseCase(store=labels_store(), flow_factory=make_flow,
                            progress=progress or NullProgress(), versions=library_versions(),
                            kalman_factory=make_kalman)


def sibling_output(path: str, output_format: str) -> str:
    """The file of ``output_format`` next to ``path`` (``x.slp`` <-> ``x.analysis.h5``)."""
    base = path
    for suffix in (".analysis.h5", ".slp", ".h5"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base + (".analysis.h5" if output_format == "analysis_h5" else ".slp")


def write_outputs(dataset: Dataset, path: str, output: OutputOptions) -> list[str]:
    """Write every ``--output_format``: the first to ``path``, the others beside it.

    ``--embed true`` stores the predicted frames' images in the ``.slp`` (sleap-io's
    ``embed``); ``auto`` embeds only when the input is an image folder or a ``.pkg.slp``.
    """
    written = []
    for k, fmt in enumerate(output.output_format):
        target = path if k == 0 else sibling_output(path, fmt)
        if fmt == "slp" and (output.embed != "false" or output.restore_source_videos):
            from pose_adapters.slp.store import save_slp_embedded

            save_slp_embedded(dataset, target, embed=output.embed,
                              restore_source_videos=output.restore_source_videos)
        else:
            write_output(dataset, target, fmt)
        written.append(target)
    return written


def write_output(dataset: Dataset, path: str, output_format: str) -> None:
    """Write a prediction result atomically (``.slp`` or SLEAP analysis HDF5)."""
    if output_format == "analysis_h5":
        from pose_adapters.slp.store import save_analysis_h5

        save_analysis_h5(dataset, path)
        return
    labels_store().save(dataset, path)


def count_frames(path: str, options: TrackOptions) -> int:
    """Frames of a video input (for batch planning)."""
    from pose_adapters.video import open_video_file

    src = open_video_file(path, dataset=options.input.video_dataset,
                          input_format=options.input.video_input_format)
    try:
        return int(src.n_frames)
    finally:
        src.close()


def make_executor(run: RunOptions) -> Executor:
    """``--executor``: this process, or Ray tasks."""
    if run.executor == "ray":
        from pose_adapters.ray_executor import RayExecutor

        return RayExecutor(run.ray_address, num_cpus=run.cpus_per_task,
                           num_gpus=run.gpus_per_task, max_retries=run.max_retries)
    from pose_app.batch import LocalExecutor

    return LocalExecutor()


def build_batch_use_case(
    *,
    executor: Executor,
    work: Callable[[Job, ProgressReporter], dict[str, Any]],
    manifest_path: str,
    run: RunOptions,
    remove: Callable[[str], None],
    part_path: Callable[[str, Chunk], str],
    finalize: Finalize | None,
) -> BatchUseCase:
    """:class:`pose_app.batch.BatchUseCase` with the executor, manifest and labels store."""
    from pose_adapters.manifest import JsonManifestStore
    from pose_app.batch import BatchUseCase

    return BatchUseCase(
        executor=executor,
        work=work,
        manifest_store=JsonManifestStore(manifest_path),
        labels_store=labels_store(),
        exists=os.path.exists,
        remove=remove,
        part_path=part_path,
        progress=make_progress("gui" if run.gui else run.progress),
        finalize=finalize,
    )


def build_evaluate_use_case() -> EvaluateUseCase:
    """``pose eval``: the evaluation use case wired to sleap-io loading and the metrics writer."""
    from pose_adapters.metrics_io import pair_videos, save_metrics
    from pose_app.evaluate import EvaluateUseCase

    return EvaluateUseCase(
        loader=labels_store(), pair_videos=pair_videos, write_metrics=save_metrics
    )
