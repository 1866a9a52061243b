"""The composition root: builds adapters and hands them to the use cases.

Nothing else in the code base instantiates adapters for the use cases; tests build the same
graph with fakes.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from pose_domain.errors import InputNotFoundError, InvalidOptionError

log = logging.getLogger("pose")

VIDEO_EXTS = {".mp4", ".avi", ".mov", ".mkv", ".mpg", ".mpeg", ".webm", ".m4v", ".wmv",
              ".h5", ".hdf5", ".slp"}


def _setup_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="pose: warning: %(message)s",
                            stream=sys.stderr)


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
    try:
        import torch

        info["pytorch_version"] = torch.__version__
        info["cuda_version"] = torch.version.cuda
        info["accelerator"] = "cuda" if torch.cuda.is_available() else "cpu"
        info["gpu_count"] = torch.cuda.device_count()
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:  # pragma: no cover
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


def make_tracker_factory() -> Any:
    def factory(options: Any, max_instances: int | None) -> Any:
        from pose_app.track import build_tracker

        flow = None
        if options.use_flow:
            from pose_adapters.flow import LucasKanadeFlow

            flow = LucasKanadeFlow(img_scale=options.of_img_scale,
                                   window_size=options.of_window_size,
                                   max_levels=options.of_max_levels)
        return build_tracker(options, max_instances=max_instances, flow=flow)

    return factory


def build_predict_use_case(progress: Any = None, on_result: Any = None) -> Any:
    """The real object graph for :class:`pose_app.predict.PredictUseCase`."""
    from pose_adapters.torch.resize import TorchResizer

    from pose_adapters.models import ModelFolderLoader
    from pose_adapters.slp import SlpLabelsStore
    from pose_adapters.video import open_video_file
    from pose_app.ports.progress import NullProgress
    from pose_app.predict import PredictUseCase

    return PredictUseCase(
        loader=ModelFolderLoader(),
        resizer=TorchResizer(),
        labels_store=SlpLabelsStore(),
        open_video=open_video_file,
        tracker_factory=make_tracker_factory(),
        progress=progress or NullProgress(),
        system_info=system_info(),
        on_result=on_result,
    )


def write_output(dataset: Any, path: str, output_format: str) -> None:
    from pose_adapters.slp import SlpLabelsStore

    if output_format == "analysis_h5":
        from pose_adapters.slp.store import save_analysis_h5

        save_analysis_h5(dataset, path)
        return
    SlpLabelsStore().save(dataset, path)


def run_track_command(args: dict[str, Any]) -> int:
    """``pose track``: prediction and/or tracking, per input."""
    _setup_logging()
    if not args.get("model_paths") and not args.get("tracking"):
        raise InvalidOptionError(
            "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
        )
    if not args.get("model_paths"):
        from pose_cli.track_only import run_track_only

        return run_track_only(args)
    from pose_app.predict import PredictRequest
    from pose_cli.progress import make_progress
    from pose_domain.frames import parse_frames

    parse_frames(args["frames"])  # validate early: a malformed --frames fails before loading
    inputs = expand_inputs(list(args["data_path"]))
    if args["output_path"] and len(inputs) > 1:
        raise InvalidOptionError("-o names one file but several inputs were given",
                                 hint="drop -o to write <input>.predictions.slp per input")
    inference = build_inference_options(args)
    tracking = build_tracking_options(args) if args["tracking"] else None
    selection = build_selection(args)
    progress = make_progress(args.get("progress", "rich"))
    use_case = build_predict_use_case(progress=progress)
    models = None
    for data_path in inputs:
        out = args["output_path"] or default_output_path(data_path)
        if args["output_format"] == "analysis_h5" and not args["output_path"]:
            out = out[: -len(".slp")] + ".analysis.h5"
        if os.path.exists(out) and not args["overwrite"] and len(inputs) > 1:
            log.warning("skipping %s: %s exists (use --overwrite)", data_path, out)
            continue
        request = PredictRequest(
            data_path=data_path,
            model_paths=tuple(args["model_paths"]),
            inference=inference,
            tracking=tracking,
            selection=selection,
            frames_spec=args["frames"],
            video_dataset=args["video_dataset"],
            video_input_format=args["video_input_format"],
            cli_args={k: v for k, v in args.items() if v is not None},
            resume=args["resume"],
        )
        if models is None:
            models = use_case.load_models(request)
        from pose_adapters.chunks import NpzChunkStore, partial_dir_for

        use_case.chunks = NpzChunkStore(partial_dir_for(out))
        result = use_case(request, models=models)
        write_output(result.dataset, out, args["output_format"])
        use_case.chunks.clear()
        fps = result.frames_processed / max(result.seconds, 1e-9)
        print(f"pose: wrote {out} ({result.frames_processed} frames, {fps:.1f} FPS)",
              file=sys.stderr)
    return 0


def default_track_args() -> dict[str, Any]:
    """Every ``pose track`` flag at its default (for commands that reuse the track flow)."""
    import inspect

    from pose_cli.commands.track import track

    return {
        name: p.default
        for name, p in inspect.signature(track).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
