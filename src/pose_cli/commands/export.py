"""``pose export``: write a self-contained model folder (ONNX, optional TensorRT engine)."""

from __future__ import annotations

from typing import Annotated, Literal

from cyclopts import Parameter


def export(
    model_path: Annotated[str, Parameter(help="Model folder (sleap-nn or SLEAP ≤1.4 .h5).")],
    model_path_2: Annotated[
        str | None,
        Parameter(help="Second model folder for top-down (centroid + centered instance)."),
    ] = None,
    /,
    *,
    output: Annotated[
        str | None,
        Parameter(name=["--output", "-o", "--output-dir", "--output_dir"],
                  help="Output folder (default: MODEL/exported, CENTROID/exported_topdown)."),
    ] = None,
    format: Annotated[
        Literal["onnx", "tensorrt", "both"],
        Parameter(name=["--format", "-f"], help="onnx, tensorrt (ONNX + engine) or both."),
    ] = "onnx",
    precision: Annotated[
        Literal["fp32", "fp16", "tf32"],
        Parameter(help="TensorRT precision (ONNX is always fp32); tf32 builds as fp32."),
    ] = "fp16",
    workspace_size_gb: Annotated[
        float | None,
        Parameter(help="Accepted for sleap-nn compatibility: pose sizes the TensorRT "
                  "workspace itself."),
    ] = None,
    max_instances: Annotated[int, Parameter(help="Default max instances for prediction.")] = 20,
    max_batch_size: Annotated[int, Parameter(help="Largest batch of the TensorRT engine.")] = 8,
    input_scale: Annotated[float | None, Parameter(help="Override the input scale.")] = None,
    input_height: Annotated[
        int | None, Parameter(help="Height the TensorRT engine is optimised for.")
    ] = None,
    input_width: Annotated[
        int | None, Parameter(help="Width the TensorRT engine is optimised for.")
    ] = None,
    crop_size: Annotated[int | None, Parameter(help="Override the top-down crop size.")] = None,
    device: Annotated[str, Parameter(help="cpu, or cuda / cuda:N for TensorRT.")] = "cpu",
    opset_version: Annotated[int, Parameter(help="ONNX opset.")] = 17,
    peak_threshold: Annotated[float, Parameter(help="Recorded default peak threshold.")] = 0.2,
    max_peaks_per_node: Annotated[int, Parameter(help="Recorded (bottom-up).")] = 20,
    n_line_points: Annotated[int, Parameter(help="Recorded default PAF line points.")] = 10,
    max_edge_length_ratio: Annotated[float, Parameter(help="Recorded (bottom-up).")] = 0.25,
    dist_penalty_weight: Annotated[float, Parameter(help="Recorded (bottom-up).")] = 1.0,
    verify: Annotated[
        bool, Parameter(help="Check each ONNX graph against torch (max |diff| ≤ 1e-4).")
    ] = True,
) -> int:
    """Export trained model(s) to a folder that ``pose predict`` runs without the checkpoint.

    The ONNX graph takes uint8 NCHW frames (any batch, height and width; 1 or 3 channels),
    normalises inside and returns the raw network outputs; pose decodes them exactly like the
    checkpoint path (integral refinement included), so exported predictions match.
    """
    from pose_adapters.export import export_models

    paths = [model_path] + ([model_path_2] if model_path_2 else [])
    out = export_models(
        paths,
        output,
        fmt=format,
        precision="fp32" if precision == "tf32" else precision,
        max_instances=max_instances,
        max_batch_size=max_batch_size,
        input_scale=input_scale,
        crop_size=crop_size,
        input_height=input_height,
        input_width=input_width,
        device=device,
        opset=opset_version,
        verify=verify,
        inference_defaults={
            "peak_threshold": peak_threshold,
            "max_peaks_per_node": max_peaks_per_node,
            "n_points": n_line_points,
            "max_edge_length_ratio": max_edge_length_ratio,
            "dist_penalty_weight": dist_penalty_weight,
            "max_instances": max_instances,
        },
    )
    print(f"exported to {out}")
    return 0
