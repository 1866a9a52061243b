"""``pose track --executor ray`` / ``--chunk-frames``: the batch path (ADR-0060..0062).

The driver side (:func:`run_batch_command`) plans jobs, owns the manifest and the progress
display, and merges chunk outputs; the worker side (:func:`run_job`) runs one job with the same
use cases as the local path. ``run_job`` is a module-level function so Ray ships it by reference.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from typing import Any

from pose_domain.errors import InvalidOptionError, UnsupportedInputError

log = logging.getLogger("pose")

#: Flags that change how a batch runs, not what it writes (left out of the fingerprint).
EXECUTION_FLAGS = frozenset({
    "executor", "ray_address", "gpus_per_task", "cpus_per_task", "max_retries", "progress",
    "overwrite", "resume", "data_path", "output_path", "device", "runtime", "queue_maxsize",
})


def wants_batch(args: dict[str, Any]) -> bool:
    """True when ``pose track`` should take the batch path."""
    return args.get("executor", "local") == "ray" or bool(args.get("chunk_frames"))


def chunk_overlap(args: dict[str, Any]) -> int:
    """Warm-up frames per chunk: twice the tracker window, at least 10 (0 without tracking)."""
    if not args.get("tracking"):
        return 0
    return max(2 * int(args.get("tracking_window_size") or 5), 10)


def _spec(indices: list[int]) -> str:
    """Sorted frame indices -> ``--frames`` text (``0-4,9``)."""
    parts: list[str] = []
    i = 0
    while i < len(indices):
        j = i
        while j + 1 < len(indices) and indices[j + 1] == indices[j] + 1:
            j += 1
        parts.append(str(indices[i]) if i == j else f"{indices[i]}-{indices[j]}")
        i = j + 1
    return ",".join(parts)


def _labels_frame_indices(path: str, video_index: int | None) -> tuple[list[int], int]:
    """Frame indices of one video's labeled frames in a ``.slp`` and the number of videos."""
    import h5py
    import numpy as np

    with h5py.File(path, "r") as f:
        frames = np.asarray(f["frames"][:])
        n_videos = int(f["videos_json"].shape[0]) if "videos_json" in f else 1
    if frames.size == 0:
        return [], n_videos
    vid = frames["video"].astype(np.int64)
    idx = frames["frame_idx"].astype(np.int64)
    keep = vid == (video_index or 0) if (video_index is not None or n_videos == 1) else vid >= 0
    return sorted({int(i) for i in idx[keep]}), n_videos


def _selected(args: dict[str, Any], path: str, track_only: bool) -> tuple[list[int], int]:
    """The frame indices an input will process (for chunking and the progress total)."""
    from pose_domain.frames import parse_frames, resolve_frames

    if track_only or path.lower().endswith(".slp"):
        present, n_videos = _labels_frame_indices(path, args.get("video_index"))
        wanted = parse_frames(args.get("frames"))
        if wanted is not None:
            keep = set(wanted)
            present = [i for i in present if i in keep]
        return present, n_videos
    from pose_adapters.video import open_video_file

    src = open_video_file(path, dataset=args.get("video_dataset"),
                          input_format=args.get("video_input_format", "channels_last"))
    try:
        n = int(src.n_frames)
    finally:
        src.close()
    inside, _ = resolve_frames(args.get("frames"), n)
    return inside, 1


def _output_for(args: dict[str, Any], path: str, track_only: bool) -> str:
    from pose_cli.flags import default_output_path

    if args.get("output_path"):
        return os.path.abspath(args["output_path"])
    if track_only:
        from pose_app.track import default_output_path as track_output

        return os.path.abspath(track_output(path))
    out = default_output_path(path)
    if args.get("output_format") == "analysis_h5":
        out = out[: -len(".slp")] + ".analysis.h5"
    return os.path.abspath(out)


def part_path(output_path: str, chunk: Any) -> str:
    """Where chunk ``start-stop`` of ``output_path`` is written before the merge."""
    return os.path.join(output_path + ".chunks", f"{chunk.start:09d}-{chunk.stop:09d}.slp")


def _remove_part(path: str) -> None:
    if os.path.exists(path):
        os.unlink(path)
    folder = os.path.dirname(path)
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)


def plan_inputs(args: dict[str, Any]) -> list[Any]:
    """:class:`pose_app.batch.BatchInput` per input (absolute paths, chunks when asked)."""
    from pose_app.batch import BatchInput, plan_chunks
    from pose_cli.flags import check_output_path, expand_inputs

    track_only = not args.get("model_paths")
    inputs = [os.path.abspath(p) for p in expand_inputs(list(args["data_path"]))]
    if args.get("output_path") and len(inputs) > 1:
        raise InvalidOptionError("-o names one file but several inputs were given",
                                 hint="drop -o to write <input>.predictions.slp per input")
    chunk_frames = args.get("chunk_frames")
    if chunk_frames:
        if args.get("tracking") and args.get("tracker") == "global":
            raise InvalidOptionError(
                "--chunk-frames cannot split the offline global tracker (it needs whole videos)",
                hint="use --tracker online, or drop --chunk-frames",
            )
        if args.get("output_format") == "analysis_h5":
            raise InvalidOptionError("--chunk-frames writes .slp outputs only",
                                     hint="drop --output_format analysis_h5 or --chunk-frames")
    out: list[Any] = []
    for path in inputs:
        if track_only and not path.lower().endswith(".slp"):
            raise UnsupportedInputError(
                f"track-only mode needs a .slp file, got {path}",
                hint="give -m MODEL to predict on a video, or pass a .slp to re-track",
            )
        output = _output_for(args, path, track_only)
        check_output_path(output)
        chunkable = bool(chunk_frames) and (track_only or not path.lower().endswith(".slp"))
        try:
            indices, n_videos = _selected(args, path, track_only)
        except Exception:  # the input's own job reports why, in the manifest
            indices, n_videos = [], 1
        chunks: tuple[Any, ...] = ()
        if chunkable and indices:
            if n_videos > 1 and args.get("video_index") is None:
                raise InvalidOptionError(
                    f"--chunk-frames splits one video, but {path} holds {n_videos}",
                    hint="add --video_index N",
                )
            chunks = tuple(plan_chunks(indices[0], indices[-1] + 1, int(chunk_frames or 0),
                                       chunk_overlap(args)))
            if len(chunks) == 1:
                chunks = ()
        elif chunk_frames and not chunkable:
            log.warning("--chunk-frames: %s is predicted whole (labels inputs are not split)",
                        path)
        out.append(BatchInput(input_path=path, output_path=output, chunks=chunks,
                              frames=len(indices)))
    return out


def fingerprint_of(args: dict[str, Any]) -> str:
    from pose_app.batch import settings_fingerprint

    return settings_fingerprint({k: v for k, v in args.items() if k not in EXECUTION_FLAGS})


def _chunk_tracking_options(args: dict[str, Any]) -> Any:
    """Tracking options for one chunk: whole-video post-processing moves to the merge."""
    import attrs

    from pose_cli.flags import build_tracking_options

    opts = build_tracking_options(args)
    max_tracks = opts.max_tracks
    if opts.post_connect_single_breaks and max_tracks is None and not args.get("model_paths"):
        max_tracks = args.get("max_instances")  # keep track-only's defaulting (ADR-0062)
    return attrs.evolve(opts, post_connect_single_breaks=False, tracking_clean_instance_count=0,
                        max_tracks=max_tracks)


def make_finalize(args: dict[str, Any]) -> Any:
    """Whole-video post-processing of the merged chunks (None when none is asked for)."""
    if not args.get("tracking"):
        return None
    if not (args.get("post_connect_single_breaks") or args.get("tracking_clean_instance_count")):
        return None
    from pose_app.track import build_tracker
    from pose_cli.flags import build_tracking_options

    tracker = build_tracker(build_tracking_options(args), max_instances=args.get("max_instances"),
                            track_only=not args.get("model_paths"))
    return tracker.finalize


# ------------------------------------------------------------------------------ worker side
_MODELS: dict[str, tuple[Any, Any]] = {}


def run_job(
    builders: dict[str, Any], args: dict[str, Any], job: Any, progress: Any
) -> dict[str, Any]:
    """Run one job (a whole input or one chunk) and write its output atomically.

    Args:
        builders: ``build_predict_use_case`` and ``write_output`` from the composition root
            (module-level functions, shipped to workers by reference).
        args: The ``pose track`` flags (JSON-able).
        job: A :class:`pose_app.batch.Job`.
        progress: Receives ``advance`` per frame.

    Returns:
        ``{"frames": frames processed, "output": path written}``.
    """
    from pose_cli.flags import _setup_logging

    _setup_logging()
    out = job.part_path or job.output_path
    if job.part_path:
        os.makedirs(os.path.dirname(job.part_path), exist_ok=True)
    if not args.get("model_paths"):
        return _track_only_job(args, job, out, progress)
    return _predict_job(builders, args, job, out, progress)


def _chunk_indices(args: dict[str, Any], job: Any) -> list[int] | None:
    if job.chunk is None:
        return None
    from pose_domain.frames import parse_frames

    rng = range(job.chunk.first, job.chunk.stop)
    wanted = parse_frames(args.get("frames"))
    if wanted is None:
        return list(rng)
    keep = set(wanted)
    return [i for i in rng if i in keep]


def _track_only_job(args: dict[str, Any], job: Any, out: str, progress: Any) -> dict[str, Any]:
    from pose_adapters.flow import LucasKanadeFlow
    from pose_adapters.slp import SlpLabelsStore
    from pose_app.track import TrackOnlyRequest, TrackOnlyUseCase
    from pose_cli.flags import build_inference_options, build_tracking_options
    from pose_cli.track_only import _frames, _versions

    indices = _chunk_indices(args, job)
    frames = tuple(indices) if indices is not None else _frames(args.get("frames"))
    tracking = (_chunk_tracking_options(args) if job.chunk is not None
                else build_tracking_options(args))

    def flow_factory(opts: Any) -> LucasKanadeFlow:
        return LucasKanadeFlow(img_scale=opts.of_img_scale, window_size=opts.of_window_size,
                               max_levels=opts.of_max_levels)

    use_case = TrackOnlyUseCase(store=SlpLabelsStore(), flow_factory=flow_factory,
                                progress=progress, versions=_versions())
    result = use_case(TrackOnlyRequest(
        input_path=job.input_path, output_path=out, tracking=tracking, frames=frames,
        video_index=args.get("video_index"), max_instances=args.get("max_instances"),
        inference=build_inference_options(args),
        cli_args={k: v for k, v in args.items() if isinstance(v, (str, int, float, bool, list))},
    ))
    return {"frames": result.frames_processed, "output": out}


def _predict_job(
    builders: dict[str, Any], args: dict[str, Any], job: Any, out: str, progress: Any
) -> dict[str, Any]:
    from pose_adapters.chunks import NpzChunkStore, partial_dir_for
    from pose_app.predict import PredictRequest
    from pose_cli.flags import build_inference_options, build_selection, build_tracking_options

    inference = build_inference_options(args)
    key = json.dumps([args["model_paths"], repr(inference)])
    if key not in _MODELS:  # one model load per worker process and settings
        use_case = builders["build_predict_use_case"]()
        _MODELS.clear()
        _MODELS[key] = (use_case, None)
    use_case, models = _MODELS[key]
    use_case.progress = progress
    indices = _chunk_indices(args, job)
    tracking = None
    if args.get("tracking"):
        tracking = (_chunk_tracking_options(args) if job.chunk is not None
                    else build_tracking_options(args))
    request = PredictRequest(
        data_path=job.input_path,
        model_paths=tuple(args["model_paths"]),
        inference=inference,
        tracking=tracking,
        selection=build_selection(args),
        frames_spec=_spec(indices) if indices is not None else args.get("frames", ""),
        video_dataset=args.get("video_dataset"),
        video_input_format=args.get("video_input_format", "channels_last"),
        cli_args={k: v for k, v in args.items() if v is not None},
        resume=bool(args.get("resume")),
    )
    if models is None:
        models = use_case.load_models(request)
        _MODELS[key] = (use_case, models)
    use_case.chunks = NpzChunkStore(partial_dir_for(out))
    result = use_case(request, models=models)
    builders["write_output"](result.dataset, out,
                             "slp" if job.part_path else args["output_format"])
    use_case.chunks.clear()
    return {"frames": result.frames_processed, "output": out}


# ------------------------------------------------------------------------------ driver side
def make_executor(args: dict[str, Any]) -> Any:
    if args.get("executor", "local") == "ray":
        from pose_adapters.ray_executor import RayExecutor

        return RayExecutor(
            args.get("ray_address"),
            num_cpus=float(args.get("cpus_per_task") or 1.0),
            num_gpus=float(args.get("gpus_per_task") or 0.0),
            max_retries=int(args.get("max_retries", 3)),
        )
    from pose_app.batch import LocalExecutor

    return LocalExecutor()


def manifest_path(inputs: list[Any]) -> str:
    """``pose-manifest.json`` in the folder of the first output (ADR-0061)."""
    from pose_app.batch import MANIFEST_NAME

    return os.path.join(os.path.dirname(inputs[0].output_path), MANIFEST_NAME)


def run_batch_command(args: dict[str, Any], *, stop: Any = None, **builders: Any) -> int:
    """``pose track`` on an executor, with a manifest, optionally in chunks.

    Returns:
        0 when every input is done (or skipped as done), 1 when any failed (each failure is
        printed as one line and recorded in the manifest).

    ``builders``: ``build_predict_use_case`` and ``write_output`` (from ``pose_cli.bootstrap``,
    the composition root; passed in to keep the import graph acyclic). ``stop``: the
    :class:`pose_cli.signals.SignalStop` of the command; the Ray driver polls it (stops
    submitting, cancels what runs, keeps the manifest), the local executor is interrupted.
    """
    from pose_adapters.locks import FileOutputLocks
    from pose_adapters.manifest import JsonManifestStore
    from pose_adapters.slp import SlpLabelsStore
    from pose_app.batch import BatchUseCase
    from pose_cli.flags import _setup_logging
    from pose_cli.progress import make_progress
    from pose_domain.frames import parse_frames

    _setup_logging()
    if not args.get("model_paths") and not args.get("tracking"):
        raise InvalidOptionError(
            "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
        )
    parse_frames(args.get("frames"))
    executor = make_executor(args)  # fails first when ray is missing
    if stop is not None and hasattr(executor, "stop"):  # [unattended] the Ray driver polls it
        executor.stop = stop
        stop.cooperative = True
    inputs = plan_inputs(args)
    worker_args = {k: v for k, v in args.items()
                   if isinstance(v, (str, int, float, bool, list, type(None)))}
    use_case = BatchUseCase(
        executor=executor,
        work=functools.partial(run_job, builders, worker_args),
        manifest_store=JsonManifestStore(manifest_path(inputs)),
        labels_store=SlpLabelsStore(),
        exists=os.path.exists,
        remove=_remove_part,
        part_path=part_path,
        progress=make_progress(args.get("progress", "rich")),
        finalize=make_finalize(args),
        locks=FileOutputLocks(),  # [unattended] the driver locks the final outputs (ADR-0130)
    )
    report = use_case(inputs, fingerprint_of(args), overwrite=bool(args.get("overwrite")))
    if stop is not None and stop.is_set():  # [unattended] ADR-0131
        from pose_cli.signals import Interrupted

        raise Interrupted(stop.signum, (
            f"stopped: {len(report.done) + len(report.skipped)} of {len(inputs)} input(s) done; "
            f"finished chunks are recorded in {manifest_path(inputs)}; "
            "run the same command with --resume to continue"))
    for path in report.skipped:
        print(f"pose: skipped {path} (done)", file=sys.stderr)
    for path in report.done:
        out = next(i.output_path for i in inputs if i.input_path == path)
        print(f"pose: wrote {out}", file=sys.stderr)
    for path, reason in sorted(report.failed.items()):
        print(f"pose: error: {path}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0
