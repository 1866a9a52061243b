"""Typed metadata of a ``pose export`` folder."""

from __future__ import annotations

import os
from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class ExportMetadata:
    """What an export folder holds (``export_metadata.json``, typed).

    Attributes:
        model_type: ``single_instance``, ``top_down``, ``bottom_up``…
        node_names: Skeleton nodes, in output order.
        edge_indices: ``(src, dst)`` node index pairs.
        input_name, input_dtype, input_layout: The graphs' input (``image``, ``uint8``,
            ``NCHW``).
        input_shape: Symbolic input shape ``[batch, channels, height, width]``.
        input_channels: Channels the first network expects (1 or 3).
        output_stride: Confidence-map stride of the main network.
        class_names: Identity classes of multi-class models (empty otherwise).
        runtime_files: ``{role: [files]}``: ONNX graphs and TensorRT engines per network.
        raw: The whole parsed JSON.
    """

    model_type: str
    node_names: tuple[str, ...]
    edge_indices: tuple[tuple[int, int], ...]
    input_name: str
    input_dtype: str
    input_layout: str
    input_shape: tuple[str | int, ...]
    input_channels: int
    output_stride: int
    class_names: tuple[str, ...]
    runtime_files: dict[str, tuple[str, ...]]
    raw: dict[str, Any] = attrs.field(repr=False)

    @classmethod
    def from_dict(cls, meta: dict[str, Any]) -> ExportMetadata:
        files: dict[str, tuple[str, ...]] = {}
        for net in meta.get("networks", []):
            names = [net["onnx"]] if net.get("onnx") else []
            trt = net.get("tensorrt")
            if isinstance(trt, str):
                names.append(trt)
            elif isinstance(trt, dict) and trt.get("engine"):
                names.append(str(trt["engine"]))
            files[str(net.get("role", ""))] = tuple(names)
        return cls(
            model_type=str(meta["model_type"]),
            node_names=tuple(meta.get("node_names", [])),
            edge_indices=tuple((int(a), int(b)) for a, b in meta.get("edge_inds", [])),
            input_name=str(meta.get("input_name", "image")),
            input_dtype=str(meta.get("input_dtype", "uint8")),
            input_layout=str(meta.get("input_layout", "NCHW")),
            input_shape=tuple(meta.get("input_shape", [])),
            input_channels=int(meta.get("input_channels") or 0),
            output_stride=int(meta.get("output_stride") or 0),
            class_names=tuple(meta.get("class_names", [])),
            runtime_files=files,
            raw=meta,
        )


def load_metadata(export_dir: str | os.PathLike[str]) -> ExportMetadata:
    """The typed metadata of an export folder written by ``pose export``.

    Raises:
        InputNotFoundError: The folder does not exist.
        ModelLoadError: It is not an export folder, or its metadata cannot be read.
    """
    from pose_adapters.export.folder import read_metadata

    return ExportMetadata.from_dict(read_metadata(export_dir))
