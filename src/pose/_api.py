"""``pose.load_model``, ``pose.run_inference`` and ``pose.result_arrays``.

Options take the ``pose track`` flag names (``peak_threshold``, ``max_instances``,
``tracking_window_size``…); an unknown name is an :class:`InvalidOptionError`::

    labels = pose.run_inference("video.mp4", ["centroid/", "centered_instance/"],
                                tracking=True, max_tracks=2, frames="0-99")
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from pose._predictor import Predictor
from pose_app.options import DEFAULT_BATCH_SIZE, TrackOptions
from pose_app.predict import PredictResult
from pose_domain.defaults import DEFAULT_PEAK_THRESHOLD, DEFAULT_TRACKING_WINDOW_SIZE
from pose_domain.errors import InvalidOptionError
from pose_domain.instance import PredictedInstance

#: SLEAP 1.x tracker names → ``pose track`` flags.
TRACKERS: dict[str, dict[str, Any]] = {
    "simple": {"tracking": True, "tracker": "online", "use_flow": False},
    "flow": {"tracking": True, "tracker": "online", "use_flow": True},
    "global": {"tracking": True, "tracker": "global"},
}


def sleap_flags(
    *,
    batch_size: int,
    peak_threshold: float,
    refinement: str | bool | None,
    tracker: str | None,
    tracker_window: int,
    tracker_max_instances: int | None,
    progress_reporting: str,
    device: str,
    runtime: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """``load_model``'s SLEAP 1.x keywords as ``pose track`` flags (``options`` win).

    ``tracker_window`` is the number of past frames matched against (``tracking_window_size``);
    ``tracker_max_instances`` keeps at most that many instances per frame after tracking and
    joins single track breaks (SLEAP 1.x's ``clean_instance_count`` with
    ``post_connect_single_breaks``).
    """
    if refinement not in ("integral", "local", "none", "None", None, True, False):
        raise InvalidOptionError(f"refinement must be 'integral', 'local' or None, got "
                                 f"{refinement!r}")
    if progress_reporting not in ("rich", "json", "none"):
        raise InvalidOptionError("progress_reporting must be 'rich', 'json' or 'none', got "
                                 f"{progress_reporting!r}")
    if isinstance(tracker_window, bool) or not isinstance(tracker_window, int) or (
            tracker_window < 1):
        raise InvalidOptionError(f"tracker_window must be a positive integer, got "
                                 f"{tracker_window!r}")
    if tracker_max_instances is not None and (
            isinstance(tracker_max_instances, bool) or not isinstance(tracker_max_instances, int)
            or tracker_max_instances < 1):
        raise InvalidOptionError(f"tracker_max_instances must be None or a positive integer, "
                                 f"got {tracker_max_instances!r}")
    flags: dict[str, Any] = {
        "batch_size": batch_size,
        "peak_threshold": peak_threshold,
        "integral_refinement": refinement,
        "progress": progress_reporting,
        "device": device,
        "runtime": runtime,
    }
    if tracker is not None:
        if tracker not in TRACKERS:
            raise InvalidOptionError(
                f"unknown tracker {tracker!r}",
                hint="use None, 'simple', 'flow' or 'global'",
            )
        flags.update(TRACKERS[tracker])
        flags["tracking_window_size"] = tracker_window
        if tracker_max_instances is not None:
            flags["tracking_clean_instance_count"] = tracker_max_instances
            flags["tracking_target_instance_count"] = tracker_max_instances
            flags["post_connect_single_breaks"] = True
    return {**flags, **options}


def load_model(
    model_path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    batch_size: int = DEFAULT_BATCH_SIZE,
    peak_threshold: float = DEFAULT_PEAK_THRESHOLD,
    refinement: str | bool | None = "integral",
    tracker: str | None = None,
    tracker_window: int = DEFAULT_TRACKING_WINDOW_SIZE,
    tracker_max_instances: int | None = None,
    disable_gpu_preallocation: bool = True,
    progress_reporting: str = "rich",
    *,
    device: str = "auto",
    runtime: str = "auto",
    **options: Any,
) -> Predictor:
    """Load trained model(s) as the predictor of their type (SLEAP 1.x ``sleap.load_model``).

    Args:
        model_path: A model folder (sleap-nn, or SLEAP 1.x with ``training_config.json`` /
            ``training_job.json`` and ``best_model.h5`` / ``final_model.h5``), its config
            file, a ``pose export`` / ``sleap-nn export`` folder, or a list of two folders
            (centroid + centered instance, in any order).
        batch_size: Frames per batch.
        peak_threshold: Smallest confidence-map value that counts as a peak.
        refinement: ``"integral"`` (default), ``"local"`` (quarter-pixel) or None/``"none"``;
            ``True`` = integral, ``False`` = none.
        tracker: None (no tracking), ``"simple"`` (the online tracker), ``"flow"`` (with
            optical flow) or ``"global"`` (offline, whole video at once).
        tracker_window: Past frames matched against (no effect without ``tracker``).
        tracker_max_instances: Keep at most this many instances per frame while tracking
            (no effect without ``tracker``).
        disable_gpu_preallocation: Accepted for SLEAP 1.x scripts; pose's runtimes allocate
            GPU memory as they need it, so either value behaves the same.
        progress_reporting: ``"rich"`` (a bar), ``"json"`` (JSON lines) or ``"none"``.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        runtime: ``auto``, ``torch``, ``onnx``, ``openvino``, ``tensorrt`` or ``keras``.
        **options: Any ``pose track`` option by flag name (``max_instances=2``…).

    Returns:
        A :class:`SingleInstancePredictor`, :class:`TopDownPredictor`,
        :class:`BottomUpPredictor`, :class:`TopDownMultiClassPredictor`,
        :class:`BottomUpMultiClassPredictor` or :class:`CentroidPredictor` (all
        :class:`Predictor`).

    Raises:
        InvalidOptionError: An unknown option name or a refused value (named).
        InputNotFoundError, ModelLoadError, IncompatibleModelsError: Bad model paths.
    """
    if not isinstance(disable_gpu_preallocation, bool):
        raise InvalidOptionError("disable_gpu_preallocation must be True or False, got "
                                 f"{disable_gpu_preallocation!r}")
    flags = sleap_flags(batch_size=batch_size, peak_threshold=peak_threshold,
                        refinement=refinement, tracker=tracker, tracker_window=tracker_window,
                        tracker_max_instances=tracker_max_instances,
                        progress_reporting=progress_reporting, device=device, runtime=runtime,
                        options=options)
    paths = _model_paths(model_path)
    opts = TrackOptions.from_flags(flags)  # parsed once
    return Predictor.from_options(paths, opts, progress=opts.run.progress)


def _model_paths(model_path: Any, name: str = "model_path") -> list[str]:
    """One path or a list of paths, as strings (a clear error for anything else)."""
    if isinstance(model_path, (str, os.PathLike)):
        return [os.fspath(model_path)]
    if isinstance(model_path, Sequence) and model_path and all(
            isinstance(p, (str, os.PathLike)) for p in model_path):
        return [os.fspath(p) for p in model_path]
    raise InvalidOptionError(f"{name} must be a path or a list of paths, got {model_path!r}")


def result_arrays(result: PredictResult) -> dict[str, Any]:
    """Predictions as arrays: per frame ``video_index``, ``frame_idx`` and lists of
    ``points (n_instances, n_nodes, 2)``, ``point_scores (n_instances, n_nodes)``,
    ``scores (n_instances,)``, ``track_names``."""
    frames = result.dataset.frames
    n_nodes = result.dataset.skeleton.n_nodes if result.dataset.skeleton else 0
    points, pscores, scores, tracks = [], [], [], []
    for f in frames:
        preds = [i for i in f.instances if isinstance(i, PredictedInstance)]
        points.append(np.stack([i.points for i in preds]) if preds
                      else np.zeros((0, n_nodes, 2)))
        pscores.append(np.stack([i.point_scores for i in preds]) if preds
                       else np.zeros((0, n_nodes)))
        scores.append(np.array([i.score for i in preds]))
        tracks.append([i.track.name if i.track else None for i in preds])
    return {
        "video_index": np.array([f.video_index for f in frames], dtype=np.int64),
        "frame_idx": np.array([f.frame_idx for f in frames], dtype=np.int64),
        "points": points,
        "point_scores": pscores,
        "scores": scores,
        "track_names": tracks,
        "provenance": result.dataset.provenance,
    }


def run_inference(
    data_path: Any = None,
    model_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    output_path: str | None = None,
    make_labels: bool = True,
    return_confmaps: bool = False,
    **options: Any,
) -> Any:
    """Predict (and optionally track) on one input (sleap-nn's ``run_inference``).

    Args:
        data_path: Video, ``.slp``/``.pkg.slp``, HDF5 video or image folder (or anything
            :meth:`Predictor.predict` takes: an array, a ``sio.Video``, a ``sio.Labels``).
        model_paths: One model folder, two for top-down, or an export folder; None with
            ``tracking=True`` re-tracks the instances of a ``.slp`` (track-only).
        output_path: Also write the predictions here (in ``output_format``: one name or a
            list; default ``slp``; ``W.slp`` with ``analysis_h5`` writes ``W.analysis.h5``).
        make_labels: Return ``sio.Labels`` (default); False returns one dict of numpy arrays
            per batch.
        return_confmaps: With ``make_labels=False``, each batch also holds the raw network
            outputs (``confmaps``, ``part_affinity_fields``).
        **options: Every ``pose track`` option by flag name, e.g. ``frames="0-99"``,
            ``tracking=True``, ``max_tracks=2``, ``peak_threshold=0.3``, ``device="cpu"``.

    Raises:
        InvalidOptionError: A missing argument, an unknown option or a refused value (named).
    """
    if data_path is None:
        raise InvalidOptionError("data_path is required", hint="the video or .slp to predict on")
    frames = options.pop("frames", "")
    video_dataset = options.pop("video_dataset", None)
    video_input_format = options.pop("video_input_format", "channels_last")
    if model_paths is None or (not isinstance(model_paths, (str, os.PathLike))
                               and not model_paths):
        return _track_only(data_path, output_path, frames, options)
    predictor = Predictor.from_model_paths(_model_paths(model_paths, "model_paths"), **options)
    return predictor.predict(
        data_path, frames=frames, output_path=output_path, make_labels=make_labels,
        return_confmaps=return_confmaps, video_dataset=video_dataset,
        video_input_format=video_input_format,
    )


def _track_only(data_path: Any, output_path: str | None, frames: str,
                options: dict[str, Any]) -> Any:
    """``run_inference`` without models: re-track a labels file (the CLI's track-only run)."""
    import sleap_io as sio

    from pose import bootstrap
    from pose_app.track import TrackOnlyRequest
    from pose_domain.frames import OPEN_END, parse_frames

    if not options.get("tracking"):
        raise InvalidOptionError("model_paths is required (or tracking=True to re-track a .slp)",
                                 hint="pass model_paths=[model folder]")
    if not isinstance(data_path, (str, os.PathLike)):
        raise InvalidOptionError("track-only needs data_path to be a .slp path")
    opts = TrackOptions.from_flags(options)
    parsed = parse_frames(frames) if frames else None
    if parsed is not None and OPEN_END in parsed:
        raise InvalidOptionError("frames: open ranges ('a-') are not supported in track-only",
                                 hint="give the last frame index, e.g. 100-1499")
    use_case = bootstrap.build_track_only_use_case(bootstrap.make_progress(opts.run.progress))
    result = use_case(TrackOnlyRequest(
        input_path=os.fspath(data_path), output_path=output_path, tracking=opts.tracking,
        frames=tuple(parsed) if parsed is not None else None,
        video_index=opts.selection.video_index, max_instances=opts.inference.max_instances,
        inference=opts.inference))
    return sio.load_slp(result.output_path)
