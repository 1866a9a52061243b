"""``pose track``: predict with one or two models and/or track identities (sleap-nn flags)."""

from __future__ import annotations

from typing import Annotated, Literal

from cyclopts import Parameter


def _p(*names: str, help: str = "", negative: str | None = None) -> Parameter:
    if negative is None:
        return Parameter(name=list(names), help=help)
    return Parameter(name=list(names), help=help, negative=negative)


def track(
    *,
    data_path: Annotated[
        list[str],
        _p("--data_path", "-i", help="Video, .slp, image folder, or a .txt listing inputs; "
           "repeat for several."),
    ],
    model_paths: Annotated[
        list[str] | None, _p("--model_paths", "-m", help="Model folder(s); repeat for top-down.")
    ] = None,
    output_path: Annotated[str | None, _p("--output_path", "-o", help="Output .slp.")] = None,
    device: Annotated[str, _p("--device", "-d", help="auto, cpu, cuda, cuda:N or mps.")] = "auto",
    runtime: Annotated[
        str, _p("--runtime", help="auto, torch, onnx, openvino, tensorrt or keras (SLEAP "
                "≤1.4 .h5 graphs; needs pose[legacy]).")
    ] = "auto",
    precision: Annotated[
        Literal["fp32", "bf16", "fp16", "int8"],
        _p("--precision", help="fp32 (exact) or a fast mode: int8 (CPU, OpenVINO + NNCF; "
           "calibrated on the first 256 network inputs, cached), bf16 (CPUs with native "
           "bf16), fp16 (TensorRT)."),
    ] = "fp32",
    batch_size: Annotated[int, _p("--batch_size", "-b")] = 4,
    tracking: Annotated[bool, _p("--tracking", "-t", negative="")] = False,
    max_instances: Annotated[int | None, _p("--max_instances", "-n")] = None,
    backbone_ckpt_path: Annotated[str | None, _p("--backbone_ckpt_path")] = None,
    head_ckpt_path: Annotated[str | None, _p("--head_ckpt_path")] = None,
    max_height: Annotated[int | None, _p("--max_height")] = None,
    max_width: Annotated[int | None, _p("--max_width")] = None,
    input_scale: Annotated[float | None, _p("--input_scale")] = None,
    ensure_rgb: Annotated[bool | None, _p("--ensure_rgb", negative="--no-ensure_rgb")] = None,
    ensure_grayscale: Annotated[
        bool | None, _p("--ensure_grayscale", negative="--no-ensure_grayscale")
    ] = None,
    crop_size: Annotated[int | None, _p("--crop_size")] = None,
    anchor_part: Annotated[str | None, _p("--anchor_part")] = None,
    only_labeled_frames: Annotated[bool, _p("--only_labeled_frames", negative="")] = False,
    only_suggested_frames: Annotated[bool, _p("--only_suggested_frames", negative="")] = False,
    exclude_user_labeled: Annotated[bool, _p("--exclude_user_labeled", negative="")] = False,
    only_predicted_frames: Annotated[bool, _p("--only_predicted_frames", negative="")] = False,
    no_empty_frames: Annotated[bool, _p("--no_empty_frames", negative="")] = False,
    video_index: Annotated[int | None, _p("--video_index")] = None,
    video_dataset: Annotated[str | None, _p("--video_dataset")] = None,
    video_input_format: Annotated[
        Literal["channels_last", "channels_first"], _p("--video_input_format")
    ] = "channels_last",
    frames: Annotated[str, _p("--frames", help="e.g. 0-100,200-300 or 1,3-5")] = "",
    integral_refinement: Annotated[str, _p("--integral_refinement")] = "integral",
    integral_patch_size: Annotated[int, _p("--integral_patch_size")] = 5,
    legacy_offset_refinement: Annotated[
        bool, _p("--legacy_offset_refinement", negative="",
                 help="SLEAP 1.4 models with an OffsetRefinementHead, Keras runtime: refine "
                 "peaks with the learned offsets instead of integral refinement.")
    ] = False,
    peak_threshold: Annotated[float, _p("--peak_threshold")] = 0.2,
    max_edge_length_ratio: Annotated[float, _p("--max_edge_length_ratio")] = 0.25,
    dist_penalty_weight: Annotated[float, _p("--dist_penalty_weight")] = 1.0,
    n_points: Annotated[int, _p("--n_points")] = 10,
    min_instance_peaks: Annotated[float, _p("--min_instance_peaks")] = 0.0,
    min_line_scores: Annotated[float, _p("--min_line_scores")] = 0.25,
    queue_maxsize: Annotated[int, _p("--queue_maxsize")] = 32,
    filter_overlapping: Annotated[bool, _p("--filter_overlapping", negative="")] = False,
    filter_overlapping_method: Annotated[str, _p("--filter_overlapping_method")] = "iou",
    filter_overlapping_threshold: Annotated[float, _p("--filter_overlapping_threshold")] = 0.8,
    filter_min_visible_nodes: Annotated[int, _p("--filter_min_visible_nodes")] = 0,
    filter_min_visible_node_fraction: Annotated[
        float, _p("--filter_min_visible_node_fraction")
    ] = 0.0,
    filter_min_mean_node_score: Annotated[float, _p("--filter_min_mean_node_score")] = 0.0,
    filter_min_instance_score: Annotated[float, _p("--filter_min_instance_score")] = 0.0,
    tracker: Annotated[str, _p("--tracker", help="online (reference) or global (offline).")] = (
        "online"
    ),
    tracking_window_size: Annotated[int, _p("--tracking_window_size")] = 5,
    min_new_track_points: Annotated[int, _p("--min_new_track_points")] = 0,
    candidates_method: Annotated[str, _p("--candidates_method")] = "fixed_window",
    min_match_points: Annotated[int, _p("--min_match_points")] = 0,
    features: Annotated[str, _p("--features")] = "keypoints",
    scoring_method: Annotated[str, _p("--scoring_method")] = "oks",
    scoring_reduction: Annotated[str, _p("--scoring_reduction")] = "mean",
    robust_best_instance: Annotated[float, _p("--robust_best_instance")] = 1.0,
    track_matching_method: Annotated[str, _p("--track_matching_method")] = "hungarian",
    max_tracks: Annotated[int | None, _p("--max_tracks")] = None,
    use_flow: Annotated[bool, _p("--use_flow", negative="")] = False,
    of_img_scale: Annotated[float, _p("--of_img_scale")] = 1.0,
    of_window_size: Annotated[int, _p("--of_window_size")] = 21,
    of_max_levels: Annotated[int, _p("--of_max_levels")] = 3,
    oks_stddev: Annotated[float | None, _p("--oks_stddev")] = None,
    post_connect_single_breaks: Annotated[
        bool, _p("--post_connect_single_breaks", negative="")
    ] = False,
    tracking_target_instance_count: Annotated[
        int | None, _p("--tracking_target_instance_count")
    ] = None,
    tracking_clean_instance_count: Annotated[int, _p("--tracking_clean_instance_count")] = 0,
    tracking_clean_iou_threshold: Annotated[float, _p("--tracking_clean_iou_threshold")] = 0.0,
    output_format: Annotated[
        Literal["slp", "analysis_h5"], _p("--output_format")
    ] = "slp",
    overwrite: Annotated[bool, _p("--overwrite", negative="")] = False,
    resume: Annotated[bool, _p("--resume", negative="")] = False,
    progress: Annotated[Literal["rich", "json", "none"], _p("--progress")] = "rich",
    executor: Annotated[
        Literal["local", "ray"],
        _p("--executor", help="local (this process) or ray (one task per input/chunk)."),
    ] = "local",
    ray_address: Annotated[
        str | None, _p("--ray-address", help="Join this Ray cluster (default: start one here).")
    ] = None,
    gpus_per_task: Annotated[float, _p("--gpus-per-task", help="GPUs per Ray task.")] = 0.0,
    cpus_per_task: Annotated[float, _p("--cpus-per-task", help="CPUs per Ray task.")] = 1.0,
    chunk_frames: Annotated[
        int | None,
        _p("--chunk-frames", help="Split each video into chunks of N frames, run in parallel; "
           "identities are stitched across chunks."),
    ] = None,
    max_retries: Annotated[
        int, _p("--max-retries", help="Re-runs of a Ray task whose worker died.")
    ] = 3,
) -> int:
    """Predict poses with trained models and/or track identities.

    With ``-m`` the models run on the input; with ``-t`` identities are tracked. Without ``-m``
    and with ``-t`` the instances already in a ``.slp`` are re-tracked (track-only mode).
    """
    args = dict(locals())
    from pose_cli import bootstrap

    return bootstrap.run_track_command(args)
