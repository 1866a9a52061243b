"""Folders written by ``sleap-nn export`` 0.3.5 (ADR-0127).

Their ``export_metadata.json`` has a ``model_type`` and the skeleton but no ``networks`` list;
``model.onnx`` (and/or ``model.trt``) is one graph with the peak finding inside. They load as
one spec of type ``exported_<model_type>`` whose runtime returns the graph's outputs as they
are; :mod:`pose_app.exported` decodes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pose_app.model import Backbone, ModelSpec, Preprocessing
from pose_app.network_outputs import DecodedOutputs
from pose_domain.errors import InvalidOptionError, ModelLoadError
from pose_domain.skeleton import Skeleton


def is_sleapnn_metadata(meta: dict[str, Any]) -> bool:
    """True for ``sleap-nn export`` metadata (``model_type`` and no ``networks`` list)."""
    return not isinstance(meta.get("networks"), list) and isinstance(meta.get("model_type"), str)


def spec_from_sleapnn(meta: dict[str, Any], folder: Path) -> ModelSpec:
    """The spec of a sleap-nn export: skeleton from ``node_names``/``edge_inds``."""
    try:
        nodes = [str(n) for n in meta["node_names"]]
        edges = [tuple(int(v) for v in e) for e in meta.get("edge_inds") or []]
        skeleton = Skeleton(nodes=nodes, edges=edges)
        stride = int(meta.get("output_stride") or 1)
        return ModelSpec(
            path=str(folder),
            model_type="exported_" + str(meta["model_type"]),
            skeleton=skeleton,
            backbone=_backbone(meta.get("backbone")),
            in_channels=int(meta.get("input_channels") or 1),
            max_stride=1,
            confmap_stride=stride,
            classes=tuple(meta.get("class_names") or ()),
            anchor_part=meta.get("anchor_part"),
            preprocessing=Preprocessing(scale=float(meta.get("input_scale") or 1.0)),
            source_format="sleap-nn-export",
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(
            f"{folder}/export_metadata.json is not a readable sleap-nn export ({exc})",
            hint="re-export with sleap-nn export or pose export",
        ) from exc


class BakedOnnxRuntime:
    """Runs a sleap-nn exported graph; returns its outputs by name, unchanged."""

    name = "onnx"

    def __init__(self, path: Path, *, device: str = "cpu", threads: int | None = None) -> None:
        from pose_adapters.onnx.runtime import OnnxRuntime

        inner = OnnxRuntime(path, device=device, threads=threads)
        self._session = inner._session
        self.output_keys = inner.output_keys
        self.path = path

    def infer(self, images: np.ndarray) -> DecodedOutputs:
        """uint8 ``(B, C, H, W)`` at native size -> the graph's outputs."""
        x = np.ascontiguousarray(images, dtype=np.uint8)
        outs = self._session.run(list(self.output_keys), {"image": x})
        return DecodedOutputs.from_named({k: np.asarray(v) for k, v in zip(self.output_keys, outs)})


def load_sleapnn_export(
    folder: Path, meta: dict[str, Any], *, runtime: str, device: str,
    threads: int | None = None,
) -> list[tuple[ModelSpec, Any]]:
    """``[(spec, runtime)]`` for a sleap-nn export folder (ONNX; TensorRT engines are not
    loaded: the reference's ``auto`` prefers them, ``--runtime onnx`` gives the same graph)."""
    if runtime not in ("auto", "onnx"):
        raise InvalidOptionError(
            f"--runtime {runtime} cannot run a sleap-nn export folder",
            hint="use --runtime auto or onnx",
        )
    onnx_path = folder / "model.onnx"
    if not onnx_path.is_file():
        raise ModelLoadError(f"{folder} has no model.onnx",
                             hint="export with sleap-nn export --format onnx or both")
    spec = spec_from_sleapnn(meta, folder)
    return [(spec, BakedOnnxRuntime(onnx_path, device=device, threads=threads))]


def _backbone(name: object) -> Backbone:
    """The exported graph's backbone family; an unknown or missing name counts as UNet (the
    graph runs as is, so the family only labels the provenance)."""
    try:
        return Backbone(str(name).lower())
    except ValueError:
        return Backbone.UNET
