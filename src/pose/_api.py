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
from pose_app.options import TrackOptions
from pose_app.predict import PredictResult
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
    model_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    batch_size: int = 4,
    peak_threshold: float = 0.2,
    refinement: str | bool | None = "integral",
    tracker: str | None = None,
    tracker_window: int = 5,
    tracker_max_instances: int | None = None,
    progress_reporting: str = "rich",
    device: str = "auto",
    runtime: str = "auto",
    **options: Any,
) -> Predictor:
    """Load one model folder, a top-down pair, or a ``pose export`` folder.

    Args:
        model_paths: A folder, or a list of two (centroid + centered instance).
        refinement: ``"integral"`` (default), ``"local"`` (quarter-pixel), None/``"none"``;
            ``True`` = integral, ``False`` = none.
        tracker: None, ``"simple"`` (online tracker), ``"flow"`` (with optical flow) or
            ``"global"`` (offline; only :meth:`Predictor.predict` sees the whole video).
        progress_reporting: ``"rich"``, ``"json"`` or ``"none"``.
        **options: Any ``pose track`` option by flag name (``max_instances=2``…).

    Raises:
        InvalidOptionError: An unknown option name or a refused value.
    """
    flags = sleap_flags(batch_size=batch_size, peak_threshold=peak_threshold,
                        refinement=refinement, tracker=tracker, tracker_window=tracker_window,
                        tracker_max_instances=tracker_max_instances,
                        progress_reporting=progress_reporting, device=device, runtime=runtime,
                        options=options)
    paths = ([os.fspath(model_paths)] if isinstance(model_paths, (str, os.PathLike))
             else [os.fspath(p) for p in model_paths])
    opts = TrackOptions.from_flags(flags)  # parsed once
    return Predictor.from_options(paths, opts, progress=opts.run.progress)


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
    data_path: str,
    model_paths: str | Sequence[str],
    output_path: str | None = None,
    make_labels: bool = True,
    return_confmaps: bool = False,
    **options: Any,
) -> Any:
    """Predict (and optionally track) on one input with one or two models.

    Args:
        data_path: Video, ``.slp``/``.pkg.slp``, HDF5 video or image folder.
        model_paths: One model folder, or two for top-down.
        output_path: Also write the predictions here (``.slp``).
        make_labels: Return ``sleap_io.Labels``; False returns arrays.
        return_confmaps: Also return the first network's raw outputs.
        **options: ``pose track`` options by flag name, e.g. ``frames="0-99"``,
            ``tracking=True``, ``max_tracks=2``, ``peak_threshold=0.3``.
    """
    frames = options.pop("frames", "")
    video_dataset = options.pop("video_dataset", None)
    video_input_format = options.pop("video_input_format", "channels_last")
    predictor = Predictor.from_model_paths(model_paths, **options)
    return predictor.predict(
        data_path, frames=frames, output_path=output_path, make_labels=make_labels,
        return_confmaps=return_confmaps, video_dataset=video_dataset,
        video_input_format=video_input_format,
    )
