"""Writes export folders (ADR-0051): the :class:`~pose_app.ports.export.ModelExporter` that
``pose export`` runs through :class:`pose_app.export.ExportUseCase` (ADR-0152).

Folder layout and the metadata keys are described in :mod:`pose_adapters.export.folder`.
torch, ONNX and TensorRT are imported inside the methods that need them.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import attrs

from pose_adapters.export.folder import EXPORT_FORMAT_VERSION, METADATA_FILE
from pose_app.model import ModelSpec
from pose_app.ports.export import EngineBuild, ExportedNetwork, ExportManifest, NetworkExport

#: TensorRT profile size when neither the flags nor the training config give one.
DEFAULT_ENGINE_SIZE = (512, 512)


def _versions(opset: int) -> dict[str, str | int]:
    import importlib.metadata as md

    out: dict[str, str | int] = {"opset": int(opset)}
    for dist in ("pose", "torch", "onnx", "onnxruntime", "openvino", "tensorrt"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            continue
    return out


def _training_config(folder: Path) -> Path | None:
    for name in ("training_config.yaml", "training_config.yml", "training_config.json"):
        if (folder / name).is_file():
            return folder / name
    return None


@attrs.define
class OnnxFolderExporter:
    """ONNX graphs from torch checkpoints (cached, ADR-0050), optional TensorRT engines.

    Attributes:
        cache_dir: Conversion cache (default ``$POSE_CACHE_DIR`` / ``~/.cache/pose``); a model
            already converted and verified is copied from it.
    """

    cache_dir: str | None = None

    def read_spec(self, model_path: str) -> ModelSpec:
        from pose_adapters.model_config import load_model_spec

        return load_model_spec(model_path)

    def check_engine_build(self, device: str) -> None:
        from pose_adapters.tensorrt.runtime import _cuda_device, _import_trt

        _import_trt()
        _cuda_device(device)

    def export_network(self, network: NetworkExport, folder: str, *, opset: int,
                       verify: bool) -> ExportedNetwork:
        from pose_adapters.onnx.convert import cached_onnx, export_onnx, onnx_output_keys
        from pose_adapters.torch.network import build_network

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        src_spec, module = build_network(network.model_path)
        pre = src_spec.preprocessing
        if network.input_scale is not None:
            pre = attrs.evolve(pre, scale=float(network.input_scale))
        if network.crop_size is not None:
            pre = attrs.evolve(pre, crop_size=int(network.crop_size))
        spec = attrs.evolve(src_spec, preprocessing=pre)
        onnx_path = out / f"{network.role}.onnx"
        if verify:  # the cached graph is verified when converted; reuse it
            shutil.copyfile(cached_onnx(module, spec, cache_dir=self.cache_dir, opset=opset),
                            onnx_path)
            keys = onnx_output_keys(onnx_path)
        else:
            keys = export_onnx(module, spec, onnx_path, opset=opset, verify=False)
        config_name = None
        cfg = _training_config(Path(src_spec.path))
        if cfg is not None:
            config_name = f"{network.role}.{cfg.name}"
            shutil.copyfile(cfg, out / config_name)
        return ExportedNetwork(
            role=network.role, spec=spec, source_path=str(Path(src_spec.path).resolve()),
            output_names=tuple(keys), training_config=config_name,
        )

    def build_engine(self, folder: str, network: ExportedNetwork,
                     build: EngineBuild) -> ExportedNetwork:
        from pose_adapters.accel import network_input_size
        from pose_adapters.tensorrt.runtime import ShapeProfile, build_engine

        out, role, spec = Path(folder), network.role, network.spec
        h, w = network_input_size(spec) or DEFAULT_ENGINE_SIZE
        s = max(int(spec.max_stride), 1)
        if build.height:
            h = -(-int(build.height) // s) * s
        if build.width:
            w = -(-int(build.width) // s) * s
        profile = ShapeProfile.around(h, w, in_channels=spec.in_channels, batch_size=1,
                                      max_batch_size=build.max_batch_size, stride=s)
        build_engine(out / f"{role}.onnx", out / f"{role}.trt", profile=profile,
                     precision=build.precision, device=build.device)
        record = {"engine": f"{role}.trt", "precision": build.precision,
                  "profile": attrs.asdict(profile)}
        return attrs.evolve(network, engine=record)

    def write_metadata(self, folder: str, manifest: ExportManifest) -> None:
        meta = metadata(manifest)
        out = Path(folder)
        tmp = out / f".{METADATA_FILE}.tmp"
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True))
        os.replace(tmp, out / METADATA_FILE)


def _entry(net: ExportedNetwork) -> dict[str, Any]:
    from pose_adapters.onnx.convert import spec_to_dict

    entry: dict[str, Any] = {
        "role": net.role,
        "onnx": f"{net.role}.onnx",
        "source_path": net.source_path,
        "output_names": list(net.output_names),
        "spec": spec_to_dict(net.spec),
    }
    if net.training_config is not None:
        entry["training_config"] = net.training_config
    if net.engine is not None:
        entry["tensorrt"] = dict(net.engine)
    return entry


def metadata(manifest: ExportManifest) -> dict[str, Any]:
    """The ``export_metadata.json`` document of ``manifest``."""
    networks = [_entry(n) for n in manifest.networks]
    main = networks[-1]["spec"]  # the instance network carries the skeleton of a top-down pair
    sk = main["skeleton"]
    first = networks[0]["spec"]
    return {
        "export_format_version": EXPORT_FORMAT_VERSION,
        "exporter": "pose",
        "export_timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "export_format": manifest.export_format,
        "model_type": manifest.model_type,
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
        "max_instances": int(manifest.max_instances),
        "max_batch_size": int(manifest.max_batch_size),
        "precision": manifest.precision,
        "input_name": "image",
        "input_dtype": "uint8",
        "input_layout": "NCHW",
        "input_shape": ["batch", "channels (1 or 3)", "height", "width"],
        "normalization": "0_to_1",
        "preprocessing_in_graph": ["uint8 -> float32 / 255", "1<->3 channel fix"],
        "preprocessing_outside_graph": ["channel coercion (ensure_rgb/grayscale)",
                                        "sizematcher", "input scale", "pad to max_stride"],
        "postprocessing": "peaks, integral refinement, grouping in pose (not in the graph)",
        "inference_defaults": dict(manifest.inference_defaults),
        "versions": _versions(manifest.opset),
        "networks": networks,
    }
