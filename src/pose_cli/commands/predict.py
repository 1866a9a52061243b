"""``pose predict EXPORT_DIR INPUT``: run an exported model folder (ONNX / TensorRT).

The exported network runs behind the same runtime port as checkpoints and its outputs go
through the same domain decoding (integral refinement included), so the predictions match
``pose track`` on the checkpoint.
"""

from __future__ import annotations

from typing import Annotated, Literal

from cyclopts import Parameter


def predict(
    export_dir: str,
    data_path: str,
    /,
    *,
    output_path: Annotated[str | None, Parameter(name=["--output", "-o"])] = None,
    runtime: Annotated[
        Literal["auto", "onnx", "openvino", "tensorrt"], Parameter(name="--runtime")
    ] = "auto",
    batch_size: Annotated[int, Parameter(name=["--batch-size", "--batch_size", "-b"])] = 4,
    n_frames: Annotated[int | None, Parameter(name=["--n-frames", "--n_frames"])] = None,
    device: Annotated[str, Parameter(name=["--device", "-d"])] = "auto",
    frames: Annotated[str, Parameter(name="--frames")] = "",
    max_instances: Annotated[int | None, Parameter(name=["--max-instances", "--max_instances",
                                                         "-n"])] = None,
    peak_threshold: Annotated[float, Parameter(name=["--peak_threshold",
                                                     "--peak-threshold"])] = 0.2,
    tracking: Annotated[bool, Parameter(name=["--tracking", "-t"], negative="")] = False,
    max_tracks: Annotated[int | None, Parameter(name=["--max_tracks", "--max-tracks"])] = None,
    tracker: Annotated[str, Parameter(name="--tracker")] = "online",
    candidates_method: Annotated[str, Parameter(name="--candidates_method")] = "fixed_window",
    tracking_window_size: Annotated[int, Parameter(name="--tracking_window_size")] = 5,
    features: Annotated[str, Parameter(name="--features")] = "keypoints",
    scoring_method: Annotated[str, Parameter(name="--scoring_method")] = "oks",
    track_matching_method: Annotated[str, Parameter(name="--track_matching_method")] = (
        "hungarian"
    ),
    progress: Annotated[Literal["rich", "json", "none"], Parameter(name="--progress")] = "rich",
) -> int:
    """Predict with an exported model folder (from ``pose export``)."""
    import os

    from pose_cli import bootstrap
    from pose_domain.errors import ModelLoadError

    if not os.path.exists(os.path.join(export_dir, "export_metadata.json")):
        raise ModelLoadError(
            f"{export_dir} is not an export folder (no export_metadata.json)",
            hint="create one with: pose export MODEL -o DIR",
        )
    if n_frames is not None and not frames:
        frames = f"0-{max(n_frames - 1, 0)}"
    args = _default_track_args()
    args.update(
        data_path=[data_path], model_paths=[export_dir], output_path=output_path,
        runtime=runtime, batch_size=batch_size, device=device, frames=frames,
        max_instances=max_instances, peak_threshold=peak_threshold, tracking=tracking,
        max_tracks=max_tracks, tracker=tracker, candidates_method=candidates_method,
        tracking_window_size=tracking_window_size, features=features,
        scoring_method=scoring_method, track_matching_method=track_matching_method,
        progress=progress,
    )
    return bootstrap.run_track_command(args)


def _default_track_args() -> dict[str, object]:
    """Every ``pose track`` flag at its default (``predict`` reuses the track flow)."""
    import inspect

    from pose_cli.commands.track import track

    return {
        name: p.default
        for name, p in inspect.signature(track).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
