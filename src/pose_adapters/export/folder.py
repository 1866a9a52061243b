"""Self-contained export folders (ADR-0051) and loading them back as runtimes.

Layout of ``DIR`` (one network: ``<role>`` = ``model``; top-down: ``centroid`` and
``centered_instance`` / ``multi_class_topdown``)::

    export_metadata.json              # everything below + a ModelSpec per network
    <role>.onnx                       # uint8 NCHW "image" in; /255 + channel fix inside;
                                      # dynamic batch/height/width; outputs by key
    <role>.trt                        # TensorRT engine (--format tensorrt|both)
    <role>.training_config.yaml|json  # copy of the training config

The graphs hold the network only: peak finding, integral refinement and grouping run in the
domain, so an exported model predicts exactly what its checkpoint predicts.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from pose_app.model import ModelSpec
from pose_app.ports.runtime import NetworkRuntime
from pose_domain.errors import (
    IncompatibleModelsError,
    InputNotFoundError,
    InvalidOptionError,
    ModelLoadError,
)

METADATA_FILE = "export_metadata.json"
EXPORT_FORMAT_VERSION = 1
FORMATS = ("onnx", "tensorrt", "both")


def _versions(opset: int) -> dict[str, str | int]:
    import importlib.metadata as md

    out: dict[str, str | int] = {"opset": int(opset)}
    for dist in ("pose", "torch", "onnx", "onnxruntime", "openvino", "tensorrt"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            continue
    return out


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


def _roles(specs: Sequence[ModelSpec]) -> tuple[str, list[str]]:
    """The export's model type and the file stem (role) of each network."""
    types = [s.model_type for s in specs]
    if len(specs) == 1:
        return types[0], ["model"]
    if len(specs) != 2:
        raise IncompatibleModelsError(
            f"pose export takes one or two model folders, not {len(specs)}",
            hint="give one model, or a centroid model and a centered-instance model",
        )
    if types.count("centroid") == 2:
        raise IncompatibleModelsError(
            "two centroid models cannot be exported together",
            hint="pair the centroid model with a centered_instance or multi_class_topdown model",
        )
    if "centroid" not in types or not ({"centered_instance", "multi_class_topdown"} & set(types)):
        raise IncompatibleModelsError(
            f"models of types {types} cannot be combined into one export",
            hint="give a centroid model and a centered_instance/multi_class_topdown model",
        )
    other = types[1 - types.index("centroid")]
    kind = "topdown" if other == "centered_instance" else "multi_class_topdown_combined"
    return kind, ["centroid" if t == "centroid" else t for t in types]


def default_output_dir(model_paths: Sequence[str], model_type: str, specs: Sequence[ModelSpec]
                       ) -> Path:
    """The reference's default: ``<model>/exported``, ``<centroid>/exported_topdown`` or
    ``<centroid>/exported_multi_class_topdown``."""
    if len(model_paths) == 1:
        return Path(specs[0].path) / "exported"
    centroid = next(s for s in specs if s.model_type == "centroid")
    suffix = "topdown" if model_type == "topdown" else "multi_class_topdown"
    return Path(centroid.path) / f"exported_{suffix}"


def _training_config(folder: Path) -> Path | None:
    for name in ("training_config.yaml", "training_config.yml", "training_config.json"):
        if (folder / name).is_file():
            return folder / name
    return None


def export_models(
    model_paths: Sequence[str],
    output_dir: str | None = None,
    *,
    fmt: str = "onnx",
    precision: str = "fp16",
    max_instances: int = 20,
    max_batch_size: int = 8,
    input_scale: float | None = None,
    crop_size: int | None = None,
    input_height: int | None = None,
    input_width: int | None = None,
    device: str = "cpu",
    opset: int = 17,
    verify: bool = True,
    inference_defaults: dict[str, Any] | None = None,
    cache_dir: str | None = None,
) -> Path:
    """Export one model, or a top-down pair, into a self-contained folder.

    Args:
        model_paths: One model folder, or a centroid folder and a centered-instance /
            multi-class top-down folder (either order). sleap-nn and legacy ``.h5`` models.
        output_dir: Target folder (default: as the reference, inside the first model).
        fmt: ``onnx``, ``tensorrt`` (ONNX + engine) or ``both``.
        precision: TensorRT precision (``fp32`` or ``fp16``); ONNX graphs are always fp32.
        max_instances: Default ``max_instances`` recorded for prediction.
        max_batch_size: Largest batch of the TensorRT profile.
        input_scale: Overrides the input scale of the (centroid / single) model.
        crop_size: Overrides the centered-instance crop size.
        input_height: Height the TensorRT profile is optimised for (default from config).
        input_width: Width the TensorRT profile is optimised for.
        device: Device for the TensorRT build (``cuda`` / ``cuda:N``).
        opset: ONNX opset version.
        verify: Check each ONNX graph against torch (max abs difference ≤ 1e-4).
        inference_defaults: Decoding knobs recorded for ``pose predict`` (peak threshold...).
        cache_dir: Conversion cache (ADR-0050); a model already converted is copied from it.

    Returns:
        The export folder.

    Raises:
        IncompatibleModelsError, InvalidOptionError, ModelLoadError, InputNotFoundError,
        MissingExtraError, DeviceUnavailableError, InferenceError.
    """
    if fmt not in FORMATS:
        raise InvalidOptionError(
            f"unknown export format '{fmt}'", hint="use onnx, tensorrt or both"
        )
    if precision not in ("fp32", "fp16"):
        raise InvalidOptionError(f"unknown precision '{precision}'", hint="use fp32 or fp16")
    if max_batch_size < 1:
        raise InvalidOptionError("--max-batch-size must be at least 1")
    if input_scale is not None and not input_scale > 0:
        raise InvalidOptionError("--input-scale must be positive")
    if not model_paths:
        raise InvalidOptionError("give at least one model folder to export")
    from pose_adapters.model_config import load_model_spec

    specs = [load_model_spec(p) for p in model_paths]  # cheap: validates before torch loads
    model_type, roles = _roles(specs)
    want_trt = fmt in ("tensorrt", "both")
    if want_trt:
        from pose_adapters.tensorrt.runtime import _cuda_device, _import_trt

        _import_trt()
        _cuda_device(device)
    out = Path(output_dir) if output_dir else default_output_dir(model_paths, model_type, specs)
    out.mkdir(parents=True, exist_ok=True)

    from pose_adapters.onnx.convert import (
        cached_onnx,
        export_onnx,
        onnx_output_keys,
        spec_to_dict,
    )
    from pose_adapters.torch.network import build_network

    networks: list[dict[str, Any]] = []
    order = sorted(range(len(specs)), key=lambda i: roles[i] != "centroid")
    for i in order:
        src_spec, module = build_network(model_paths[i])
        spec = src_spec
        pre = spec.preprocessing
        if input_scale is not None and spec.model_type in ("centroid", "single_instance",
                                                           "bottomup", "multi_class_bottomup"):
            pre = attrs.evolve(pre, scale=float(input_scale))
        if crop_size is not None and spec.model_type in ("centered_instance",
                                                         "multi_class_topdown"):
            pre = attrs.evolve(pre, crop_size=int(crop_size))
        spec = attrs.evolve(spec, preprocessing=pre)
        role = roles[i]
        if verify:  # the cached graph is verified when converted; reuse it
            shutil.copyfile(cached_onnx(module, spec, cache_dir=cache_dir, opset=opset),
                            out / f"{role}.onnx")
            keys = onnx_output_keys(out / f"{role}.onnx")
        else:
            keys = export_onnx(module, spec, out / f"{role}.onnx", opset=opset, verify=False)
        entry: dict[str, Any] = {
            "role": role,
            "onnx": f"{role}.onnx",
            "source_path": str(Path(src_spec.path).resolve()),
            "output_names": list(keys),
            "spec": spec_to_dict(spec),
        }
        cfg = _training_config(Path(src_spec.path))
        if cfg is not None:
            name = f"{role}.{cfg.name}"
            shutil.copyfile(cfg, out / name)
            entry["training_config"] = name
        if want_trt:
            entry["tensorrt"] = _build_trt(out, role, spec, precision=precision, device=device,
                                           max_batch_size=max_batch_size,
                                           size=(input_height, input_width))
        networks.append(entry)

    main = networks[-1]["spec"]  # the instance network carries the skeleton of a top-down pair
    sk = main["skeleton"]
    first = networks[0]["spec"]
    meta: dict[str, Any] = {
        "export_format_version": EXPORT_FORMAT_VERSION,
        "exporter": "pose",
        "export_timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "export_format": fmt,
        "model_type": model_type,
        "model_name": Path(networks[0]["source_path"]).name,
        "checkpoint_paths": [n["source_path"] for n in networks],
        "backbone": main["backbone"],
        "n_nodes": len(sk["nodes"]),
        "n_edges": len(sk["edges"]),
        "node_names": list(sk["nodes"]),
        "edge_inds": [list(e) for e in sk["edges"]],
        "n_classes": len(main["classes"]),
        "class_names": list(main["classes"]),
        "anchor_part": first.get("anchor_part") or main.get("anchor_part"),
        "input_scale": first["preprocessing"]["scale"],
        "input_channels": first["in_channels"],
        "output_stride": main["confmap_stride"],
        "strides": {
            k: main[k] for k in ("max_stride", "confmap_stride", "paf_stride", "class_map_stride")
        },
        "output_names": [n["output_names"] for n in networks],
        "crop_size": main["preprocessing"]["crop_size"],
        "max_instances": int(max_instances),
        "max_batch_size": int(max_batch_size),
        "precision": precision if want_trt else "fp32",
        "input_name": "image",
        "input_dtype": "uint8",
        "input_layout": "NCHW",
        "input_shape": ["batch", "channels (1 or 3)", "height", "width"],
        "normalization": "0_to_1",
        "preprocessing_in_graph": ["uint8 -> float32 / 255", "1<->3 channel fix"],
        "preprocessing_outside_graph": ["channel coercion (ensure_rgb/grayscale)",
                                        "sizematcher", "input scale", "pad to max_stride"],
        "postprocessing": "peaks, integral refinement, grouping in pose (not in the graph)",
        "inference_defaults": dict(inference_defaults or {}),
        "versions": _versions(opset),
        "networks": networks,
    }
    tmp = out / f".{METADATA_FILE}.tmp"
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True))
    os.replace(tmp, out / METADATA_FILE)
    return out


def _build_trt(out: Path, role: str, spec: ModelSpec, *, precision: str, device: str,
               max_batch_size: int, size: tuple[int | None, int | None]) -> dict[str, Any]:
    from pose_adapters.accel import network_input_size
    from pose_adapters.tensorrt.runtime import ShapeProfile, build_engine

    h, w = network_input_size(spec) or (512, 512)
    s = max(int(spec.max_stride), 1)
    if size[0]:
        h = -(-int(size[0]) // s) * s
    if size[1]:
        w = -(-int(size[1]) // s) * s
    profile = ShapeProfile.around(h, w, in_channels=spec.in_channels, batch_size=1,
                                  max_batch_size=max_batch_size, stride=s)
    build_engine(out / f"{role}.onnx", out / f"{role}.trt", profile=profile,
                 precision=precision, device=device)
    return {"engine": f"{role}.trt", "precision": precision, "profile": attrs.asdict(profile)}


def is_export_dir(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder written by :func:`export_models`."""
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
        export_dir: Folder written by :func:`export_models` (``pose export``).
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
