"""sleap-nn's export API: ``export_to_onnx`` / ``export_to_tensorrt`` of a loaded model, and the
exported-model predictors (``ONNXPredictor``, ``TensorRTPredictor``).

Export writes the same folder as ``pose export`` (same function); the predictors load it as
``pose predict EXPORT_DIR`` does and decode with the same stages, so their peaks are the ones
``pose predict`` writes (integral refinement included).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pose._metadata import ExportMetadata, export_folder, load_metadata
from pose._predictor import Predictor
from pose_domain.errors import InvalidOptionError

_GRAPH_SUFFIXES = (".onnx", ".trt", ".engine")


def _model_paths(model: Any) -> list[str]:
    if isinstance(model, Predictor):
        if not model.model_paths:
            raise InvalidOptionError("this predictor was not loaded from model folders")
        return list(model.model_paths)
    if isinstance(model, (str, os.PathLike)):
        return [os.fspath(model)]
    if isinstance(model, Sequence) and model and all(
            isinstance(p, (str, os.PathLike)) for p in model):
        return [os.fspath(p) for p in model]
    raise InvalidOptionError(
        f"model must be a pose Predictor or model folder(s), got {type(model).__name__}",
        hint="load it with pose.load_model(...) or pass the trained model folder")


def _export(model: Any, output_path: str | os.PathLike[str], fmt: str,
            input_shape: Sequence[int] | None, precision: str, **kw: Any) -> str:
    from pose import bootstrap
    from pose_app.export import ExportRequest
    from pose_app.options_commands import ExportOptions

    if input_shape is not None and (len(input_shape) != 4 or not all(
            isinstance(v, int) for v in input_shape)):
        raise InvalidOptionError(f"input_shape must be (B, C, H, W) integers, got {input_shape}")
    if kw.get("input_dtype", "uint8") != "uint8":
        raise InvalidOptionError(f"input_dtype must be 'uint8', got {kw['input_dtype']!r}",
                                 hint="pose's exported graphs take uint8 frames")
    kw.pop("input_dtype", None)
    out = Path(os.fspath(output_path))
    folder = out.parent if out.suffix in _GRAPH_SUFFIXES else out
    height = width = None
    if input_shape is not None:
        height, width = int(input_shape[2]), int(input_shape[3])
    if "opset" in kw:
        kw["opset_version"] = kw.pop("opset")
    try:
        values: dict[str, Any] = {"output": str(folder), "format": fmt,
                                  "precision": precision, "input_height": height,
                                  "input_width": width, **kw}
        options = ExportOptions(**values)
    except TypeError as exc:  # an argument ExportOptions does not know
        raise InvalidOptionError(f"export: {exc}", hint="see help(pose.export_to_onnx)") from None
    result = bootstrap.build_export_use_case().run(
        ExportRequest(model_paths=tuple(_model_paths(model)), options=options))
    written = Path(result.output_dir)
    if out.suffix in _GRAPH_SUFFIXES:  # the named graph file exists too (single network)
        meta = load_metadata(written)
        files = [f for names in meta.runtime_files.values() for f in names
                 if f.endswith(".onnx" if out.suffix == ".onnx" else ".trt")]
        if len(files) == 1 and (written / files[0]).resolve() != out.resolve():
            shutil.copyfile(written / files[0], out)
    return str(written)


def export_to_onnx(model: Any, output_path: str | os.PathLike[str],
                   input_shape: Sequence[int] | None = None, input_dtype: str = "uint8",
                   opset_version: int = 17, max_instances: int = 20,
                   max_batch_size: int = 8, verify: bool = True) -> str:
    """Export a loaded model (a :class:`pose.Predictor`) or model folder(s) to ONNX.

    Args:
        model: A predictor from :func:`pose.load_model`, a model folder, or a centroid +
            centered-instance pair.
        output_path: The export folder (``pose export -o``); a ``*.onnx`` path exports into
            its folder and also writes the graph under that name (single network).
        input_shape: ``(B, C, H, W)`` (graphs take any size; recorded only).
        input_dtype: ``"uint8"`` (the graphs normalise to ``[0, 1]`` inside).
        opset_version: ONNX opset.
        max_instances: Default max instances recorded for prediction.
        max_batch_size: Largest batch recorded (TensorRT profile).
        verify: Check each graph against torch (max |diff| ≤ 1e-4).

    Returns:
        The export folder, which :class:`ONNXPredictor` and ``pose predict`` load.
    """
    return _export(model, output_path, "onnx", input_shape, "fp32", input_dtype=input_dtype,
                   opset=opset_version, max_instances=max_instances,
                   max_batch_size=max_batch_size, verify=verify)


def export_to_tensorrt(model: Any, output_path: str | os.PathLike[str],
                       input_shape: Sequence[int] | None = None, precision: str = "fp16",
                       max_batch_size: int = 8, device: str = "cuda",
                       max_instances: int = 20, opset_version: int = 17) -> str:
    """Export to ONNX plus a TensorRT engine (needs an NVIDIA GPU and ``pose[tensorrt]``).

    Args:
        model: As in :func:`export_to_onnx`.
        output_path: The export folder (or a ``*.trt`` path inside it).
        input_shape: ``(B, C, H, W)``: the height and width the engine is optimised for.
        precision: ``"fp16"`` (default) or ``"fp32"``.
        max_batch_size: Largest batch of the engine's profile.
        device: ``cuda`` or ``cuda:N``.
        max_instances: Default max instances recorded for prediction.
        opset_version: ONNX opset.

    Returns:
        The export folder (:class:`TensorRTPredictor` loads it).
    """
    return _export(model, output_path, "tensorrt", input_shape, precision, device=device,
                   opset=opset_version, max_instances=max_instances,
                   max_batch_size=max_batch_size)


def export_model(predictor: Predictor, save_path: str | os.PathLike[str], *,
                 format: str = "onnx", **kwargs: Any) -> str:
    """``Predictor.export_model``: write the predictor's models as a ``pose export`` folder."""
    sleap_only = {"signatures", "save_traces", "model_name", "tensors", "unrag_outputs"}
    options = {k: v for k, v in kwargs.items() if k not in sleap_only}
    if format not in ("onnx", "tensorrt", "both"):
        raise InvalidOptionError(f"format must be onnx, tensorrt or both, got {format!r}")
    unknown = sorted(set(options) - {"max_instances", "max_batch_size", "precision", "device",
                                     "opset_version", "verify"})
    if unknown:
        raise InvalidOptionError(f"unknown export_model argument(s): {', '.join(unknown)}")
    if "opset_version" in options:
        options["opset"] = options.pop("opset_version")
    if options.get("max_instances") is None:
        options.pop("max_instances", None)
    precision = options.pop("precision", "fp16" if format != "onnx" else "fp32")
    return _export(predictor, save_path, format, None, precision, **options)


class ExportedPredictor:
    """Runs an export folder on uint8 NCHW frames (sleap-nn's exported-model predictors).

    Args:
        model_path: The export folder, or a graph / engine file inside it.
        device: ``auto``, ``cpu`` or ``cuda``.
        **options: ``pose predict`` options by flag name (``peak_threshold``…).

    ``predict(frames)`` returns fixed-size arrays (``I`` = the export's ``max_instances``):
    ``peaks (B, N, 2)``, ``peak_vals (B, N)``, ``peak_mask (B, N)`` for single-instance
    models; ``peaks (B, I, N, 2)``, ``peak_vals (B, I, N)``, ``peak_mask (B, I, N)``,
    ``instance_scores (B, I)``, ``instance_valid (B, I)`` for multi-instance ones, with
    ``centroids (B, I, 2)`` / ``centroid_vals (B, I)`` for top-down and centroid models and
    ``class_inds`` / ``class_probs (B, I)`` for multi-class ones. NaN pads missing values.
    """

    runtime = "auto"

    def __init__(self, model_path: str | os.PathLike[str], device: str = "auto",
                 **options: Any) -> None:
        if not isinstance(model_path, (str, os.PathLike)):
            raise InvalidOptionError(
                f"model_path must be a path, got {type(model_path).__name__}")
        folder = export_folder(model_path)
        self.metadata: ExportMetadata = load_metadata(folder)
        options.setdefault("progress", "none")
        self.predictor = Predictor.from_model_paths([str(folder)], runtime=self.runtime,
                                                    device=device, **options)

    def predict(self, frames: Any) -> dict[str, np.ndarray]:
        """Predict one batch of ``(B, C, H, W)`` uint8 frames (C = 1 or 3)."""
        arr = np.asarray(frames)
        if arr.ndim == 3:
            arr = arr[None]
        if arr.ndim != 4 or arr.shape[1] not in (1, 3):
            raise InvalidOptionError(
                f"frames must be (B, C, H, W) with C = 1 or 3, got shape {arr.shape}",
                hint="exported models take NCHW frames: frames.transpose(0, 3, 1, 2)")
        if arr.dtype != np.uint8:
            raise InvalidOptionError(f"frames must be uint8, got {arr.dtype}",
                                     hint="exported models take uint8 frames (0-255)")
        from pose._inference import inference_model_for

        model = inference_model_for(self.predictor)
        raw = model(np.ascontiguousarray(arr.transpose(0, 2, 3, 1)))
        return exported_outputs(raw, self.metadata.max_instances)


def exported_outputs(raw: dict[str, np.ndarray], max_instances: int | None
                     ) -> dict[str, np.ndarray]:
    """The inference model's arrays under the exported graphs' names (fixed width)."""
    if "instance_peaks" not in raw:  # centroid model
        cents = _pad(raw["centroids"], max_instances)
        vals = _pad(raw["centroid_vals"], max_instances)
        return {"centroids": cents, "centroid_vals": vals, "instance_valid": ~np.isnan(vals)}
    peaks, vals = raw["instance_peaks"], raw["instance_peak_vals"]
    if "instance_scores" not in raw:  # single instance
        p, v = peaks[:, 0], vals[:, 0]
        return {"peaks": p, "peak_vals": v, "peak_mask": ~np.isnan(p).any(axis=-1)}
    p = _pad(peaks, max_instances)
    out = {"peaks": p, "peak_vals": _pad(vals, max_instances),
           "peak_mask": ~np.isnan(p).any(axis=-1),
           "instance_scores": _pad(raw["instance_scores"], max_instances)}
    out["instance_valid"] = ~np.isnan(p).all(axis=(-1, -2))
    for key in ("centroids", "centroid_vals", "class_inds", "class_probs"):
        if key in raw:
            out[key] = _pad(raw[key], max_instances)
    return out


def _pad(a: np.ndarray, width: int | None) -> np.ndarray:
    if width is None or a.shape[1] >= width:
        return a
    fill = -1 if np.issubdtype(a.dtype, np.integer) else np.nan
    extra = np.full((a.shape[0], width - a.shape[1], *a.shape[2:]), fill, dtype=a.dtype)
    return np.concatenate([a, extra], axis=1)


class ONNXPredictor(ExportedPredictor):
    """An export folder run with ONNX Runtime (see :class:`ExportedPredictor`)."""

    runtime = "onnx"


class TensorRTPredictor(ExportedPredictor):
    """An export folder run with its TensorRT engine (see :class:`ExportedPredictor`)."""

    runtime = "tensorrt"
