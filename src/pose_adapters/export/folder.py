"""Self-contained export folders (ADR-0051) and loading them back as runtimes.

Layout of ``DIR`` (one network: ``<role>`` = ``model``; top-down: ``centroid`` and
``centered_instance`` / ``multi_class_topdown``)::

    export_metadata.json              # everything below + a ModelSpec per network
    <role>.onnx                       # uint8 NCHW "image" in; /255 + channel fix inside;
                                      # dynamic batch/height/width; outputs by key
    <role>.trt                        # TensorRT engine (--format tensorrt|both)
    <role>.training_config.yaml|json  # copy of the training config

:mod:`pose_adapters.export.writer` writes these folders. The graphs hold the network only:
peak finding, integral refinement and grouping run in the domain, so an exported model
predicts exactly what its checkpoint predicts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pose_app.model import ModelSpec
from pose_app.ports.runtime import NetworkRuntime
from pose_domain.errors import InputNotFoundError, InvalidOptionError, ModelLoadError

METADATA_FILE = "export_metadata.json"
EXPORT_FORMAT_VERSION = 1


def spec_from_dict(d: dict[str, Any], path: str) -> ModelSpec:
    """Rebuild a :class:`ModelSpec` from :func:`pose_adapters.onnx.convert.spec_to_dict`."""
    from pose_adapters.serialization import spec_from_dict as from_dict

    try:
        return from_dict(d, path)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(
            f"export metadata in '{path}' has an invalid model spec ({exc})",
            hint="re-export the model with this version of pose",
        ) from exc


def is_export_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder written by ``pose export``."""
    return (Path(path) / METADATA_FILE).is_file()


def read_metadata(export_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The parsed ``export_metadata.json`` of an export folder."""
    folder = Path(export_dir)
    if not folder.exists():
        raise InputNotFoundError(f"export folder '{folder}' does not exist")
    path = folder / METADATA_FILE
    if not path.is_file():
        raise ModelLoadError(
            f"'{folder}' is not a pose export folder (no {METADATA_FILE})",
            hint="create one with: pose export MODEL -o DIR",
        )
    try:
        meta = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"cannot read {path}: {exc}", hint="re-export the model") from exc
    from pose_adapters.export.sleapnn import is_sleapnn_metadata

    if isinstance(meta, dict) and is_sleapnn_metadata(meta):
        return meta
    if not isinstance(meta, dict) or not isinstance(meta.get("networks"), list):
        raise ModelLoadError(
            f"{path} was not written by pose export (no 'networks' list)",
            hint="re-export the model with: pose export MODEL -o DIR",
        )
    return meta


def load_exported(
    export_dir: str | os.PathLike[str],
    *,
    runtime: str = "auto",
    device: str = "cpu",
    precision: str = "fp32",
    cache_dir: str | None = None,
    threads: int | None = None,
) -> list[tuple[ModelSpec, NetworkRuntime]]:
    """Load an export folder as ``(spec, runtime)`` pairs, centroid first for top-down.

    Args:
        export_dir: Folder written by ``pose export``.
        runtime: ``auto`` (TensorRT engine on CUDA when present, else OpenVINO on CPU when
            installed, else ONNX Runtime), ``onnx``, ``openvino`` or ``tensorrt``.
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        precision: ``fp32``, or ``bf16`` with OpenVINO on CPUs that have it.
        cache_dir: Cache for OpenVINO blobs (default ``$POSE_CACHE_DIR`` / ``~/.cache/pose``).
        threads: CPU threads per network (default: all cores).

    Returns:
        One ``(ModelSpec, NetworkRuntime)`` per network; ``spec.path`` is the export folder.
        Feed them to the same decoding as checkpoint models.
    """
    from pose_adapters.accel import available_runtimes, resolve_device

    device = resolve_device(device)
    folder = Path(export_dir)
    meta = read_metadata(folder)
    if runtime not in ("auto", "onnx", "openvino", "tensorrt"):
        raise InvalidOptionError(f"unknown runtime '{runtime}' for an exported model",
                                 hint="use auto, onnx, openvino or tensorrt")
    from pose_adapters.export.sleapnn import is_sleapnn_metadata, load_sleapnn_export

    if is_sleapnn_metadata(meta):
        return load_sleapnn_export(folder, meta, runtime=runtime, device=device,
                                   threads=threads)
    pairs: list[tuple[ModelSpec, NetworkRuntime]] = []
    for net in meta["networks"]:
        spec = spec_from_dict(net["spec"], str(folder))
        onnx_path = folder / net["onnx"]
        engine = folder / net["tensorrt"]["engine"] if net.get("tensorrt") else None
        kind = runtime
        if kind == "auto":
            choices = available_runtimes(device, precision)
            if "tensorrt" in choices and engine is not None and engine.is_file():
                kind = "tensorrt"
            elif precision == "bf16":
                kind = "openvino"  # the only bf16 runtime; it says why when the CPU lacks bf16
            else:
                kind = next((c for c in choices if c in ("openvino", "onnx")), "onnx")
        if kind != "tensorrt" and not onnx_path.is_file():
            raise ModelLoadError(f"export folder '{folder}' lacks {net['onnx']}",
                                 hint="re-export the model")
        rt: NetworkRuntime
        if kind == "tensorrt":
            from pose_adapters.tensorrt.runtime import TensorRtRuntime

            if engine is None or not engine.is_file():
                raise ModelLoadError(
                    f"export folder '{folder}' has no TensorRT engine",
                    hint="export with --format tensorrt (on the GPU machine) or use "
                    "--runtime onnx",
                )
            rt = TensorRtRuntime(engine, device=device)
        elif kind == "openvino":
            from pose_adapters.onnx.convert import cache_root
            from pose_adapters.openvino.runtime import OpenVinoRuntime

            rt = OpenVinoRuntime(onnx_path, device=device, precision=precision, threads=threads,
                                 cache_dir=os.fspath(cache_root(cache_dir) / "openvino"))
        else:
            from pose_adapters.onnx.runtime import OnnxRuntime

            if precision != "fp32":
                raise InvalidOptionError(f"the onnx runtime runs fp32 only, not {precision}",
                                         hint="use --runtime openvino for bf16")
            rt = OnnxRuntime(onnx_path, device=device, threads=threads)
        pairs.append((spec, rt))
    return pairs
