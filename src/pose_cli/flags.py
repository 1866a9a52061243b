"""Turning ``pose track`` flags into use-case options, inputs and output paths.

Shared by the composition root (``pose_cli.bootstrap``) and track-only mode
(``pose_cli.track_only``).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from pose_domain.errors import InputNotFoundError, OutputWriteError

log = logging.getLogger("pose")

VIDEO_EXTS = {".mp4", ".avi", ".mov", ".mkv", ".mpg", ".mpeg", ".webm", ".m4v", ".wmv",
              ".h5", ".hdf5", ".slp"}

class _StderrHandler(logging.Handler):
    """Writes ``pose: warning: …`` lines to the *current* ``sys.stderr``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"pose: {record.levelname.lower()}: {record.getMessage()}\n")
        except Exception:  # pragma: no cover - never let logging break a run
            pass


def _setup_logging() -> None:
    logger = logging.getLogger("pose")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler(level=logging.WARNING))
    logger.setLevel(logging.WARNING)
    logger.propagate = False
def expand_inputs(paths: list[str]) -> list[str]:
    """``-i`` values → input paths: files as given, folders expanded to their videos/.slp files
    (an image folder stays one input), ``.txt`` files read as one path per line."""
    out: list[str] = []
    for p in paths:
        if p.lower().endswith(".txt") and os.path.isfile(p):
            base = os.path.dirname(p)
            for line in Path(p).read_text().splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    out.append(line if os.path.isabs(line) else os.path.join(base, line))
            continue
        if os.path.isdir(p):
            entries = sorted(os.listdir(p))
            vids = [os.path.join(p, e) for e in entries
                    if os.path.splitext(e)[1].lower() in VIDEO_EXTS
                    and not e.endswith(".predictions.slp")]
            out.extend(vids if vids else [p])
            continue
        out.append(p)
    for p in out:
        if not os.path.exists(p):
            raise InputNotFoundError(f"input not found: {p}", hint="check the -i path")
    return out
def default_output_path(data_path: str, video_index: int | None = None,
                        video_filename: str | None = None) -> str:
    """``<input without suffix>.predictions.slp`` (the reference ``track`` rule)."""
    base = data_path[:-4] if data_path.lower().endswith(".slp") else os.path.splitext(data_path)[0]
    if video_index is not None and video_filename:
        stem = os.path.splitext(os.path.basename(video_filename))[0]
        return f"{base}.{stem}.predictions.slp"
    return f"{base}.predictions.slp"
def build_inference_options(args: dict[str, Any]) -> Any:
    from pose_app.options import InferenceOptions, PreprocessOverrides

    return InferenceOptions(
        device=args["device"],
        runtime=args.get("runtime", "auto"),
        precision=args.get("precision", "fp32"),
        batch_size=args["batch_size"],
        max_instances=args["max_instances"],
        peak_threshold=args["peak_threshold"],
        integral_refinement=args["integral_refinement"],
        integral_patch_size=args["integral_patch_size"],
        anchor_part=args["anchor_part"],
        preprocess=PreprocessOverrides(
            max_height=args["max_height"], max_width=args["max_width"],
            input_scale=args["input_scale"], ensure_rgb=args["ensure_rgb"],
            ensure_grayscale=args["ensure_grayscale"], crop_size=args["crop_size"],
        ),
        backbone_ckpt_path=args["backbone_ckpt_path"],
        head_ckpt_path=args["head_ckpt_path"],
        max_edge_length_ratio=args["max_edge_length_ratio"],
        dist_penalty_weight=args["dist_penalty_weight"],
        n_points=args["n_points"],
        min_instance_peaks=args["min_instance_peaks"],
        min_line_scores=args["min_line_scores"],
        filter_overlapping=args["filter_overlapping"],
        filter_overlapping_method=args["filter_overlapping_method"],
        filter_overlapping_threshold=args["filter_overlapping_threshold"],
        filter_min_visible_nodes=args["filter_min_visible_nodes"],
        filter_min_visible_node_fraction=args["filter_min_visible_node_fraction"],
        filter_min_mean_node_score=args["filter_min_mean_node_score"],
        filter_min_instance_score=args["filter_min_instance_score"],
        queue_maxsize=args["queue_maxsize"],
        legacy_offset_refinement=bool(args.get("legacy_offset_refinement", False)),
    )
def build_tracking_options(args: dict[str, Any]) -> Any:
    from pose_app.options import TrackingOptions

    return TrackingOptions(
        tracker=args["tracker"],
        tracking_window_size=args["tracking_window_size"],
        min_new_track_points=args["min_new_track_points"],
        candidates_method=args["candidates_method"],
        min_match_points=args["min_match_points"],
        features=args["features"],
        scoring_method=args["scoring_method"],
        scoring_reduction=args["scoring_reduction"],
        robust_best_instance=args["robust_best_instance"],
        track_matching_method=args["track_matching_method"],
        max_tracks=args["max_tracks"],
        use_flow=args["use_flow"],
        of_img_scale=args["of_img_scale"],
        of_window_size=args["of_window_size"],
        of_max_levels=args["of_max_levels"],
        oks_stddev=args["oks_stddev"],
        post_connect_single_breaks=args["post_connect_single_breaks"],
        tracking_target_instance_count=args["tracking_target_instance_count"],
        tracking_clean_instance_count=args["tracking_clean_instance_count"],
        tracking_clean_iou_threshold=args["tracking_clean_iou_threshold"],
    )
def build_selection(args: dict[str, Any]) -> Any:
    from pose_app.options import FrameSelection

    return FrameSelection(
        video_index=args["video_index"],
        only_labeled_frames=args["only_labeled_frames"],
        only_suggested_frames=args["only_suggested_frames"],
        exclude_user_labeled=args["exclude_user_labeled"],
        only_predicted_frames=args["only_predicted_frames"],
        no_empty_frames=args["no_empty_frames"],
    )
def system_info() -> dict[str, Any]:
    info: dict[str, Any] = {}
    try:
        import sleap_io

        info["sleap_io_version"] = sleap_io.__version__
    except Exception:  # pragma: no cover
        pass
    if "torch" in sys.modules:  # report CUDA details only when torch was needed anyway
        import torch

        info["pytorch_version"] = torch.__version__
        info["cuda_version"] = torch.version.cuda
        info["accelerator"] = "cuda" if torch.cuda.is_available() else "cpu"
        info["gpu_count"] = torch.cuda.device_count()
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    else:
        from importlib import metadata

        try:
            info["pytorch_version"] = metadata.version("torch")
        except metadata.PackageNotFoundError:  # pragma: no cover
            pass
    for mod, key in (("onnxruntime", "onnxruntime_version"), ("openvino", "openvino_version")):
        try:
            m = __import__(mod)
            info[key] = getattr(m, "__version__", None) or m.get_version()
        except Exception:
            pass
    from pose_cli import __version__

    info["pose_version"] = __version__
    return info


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
