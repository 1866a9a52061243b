"""Typed metadata of an export folder (``pose export`` or ``sleap-nn export``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from pose_domain.errors import ModelLoadError


def _tuple(value: Any) -> tuple[Any, ...]:
    """A JSON list as a tuple; null (sleap-nn writes ``class_names: null``) is empty."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    raise TypeError(f"expected a list, got {type(value).__name__}")


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0


def _opt_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, (list, tuple)):  # sleap-nn writes crop_size as [h, w]
        return int(value[0]) if value else None
    return int(value)


@attrs.frozen(kw_only=True)
class ExportMetadata:
    """What an export folder holds (``export_metadata.json``, typed).

    Attributes:
        model_type: ``single_instance``, ``centroid``, ``topdown`` / ``top_down``,
            ``bottomup`` / ``bottom_up``, ``multi_class_bottomup``, ``multi_class_topdown``.
        model_name: The exported model's name.
        node_names: Skeleton nodes, in output order.
        edge_inds: ``(src, dst)`` node index pairs of the skeleton edges.
        n_nodes, n_edges: Their counts.
        class_names: Identity classes of multi-class models (empty otherwise).
        n_classes: Their count.
        input_name, input_dtype, input_layout: The graphs' input (``image``, ``uint8``,
            ``NCHW``).
        input_shape: Symbolic input shape ``[batch, channels, height, width]``.
        input_channels: Channels the first network expects (1 or 3).
        input_scale: Scale applied to frames before the first network.
        output_stride: Confidence-map stride of the main network.
        crop_size: Top-down crop size (None otherwise).
        max_instances, max_batch_size: Export-time limits.
        precision: ``fp32`` or ``fp16`` (TensorRT).
        export_format: ``onnx``, ``tensorrt`` or ``both``.
        exporter: ``pose`` or ``sleap-nn``.
        runtime_files: ``{role: [files]}``: ONNX graphs and TensorRT engines per network.
        raw: The whole parsed JSON.
    """

    model_type: str
    model_name: str = ""
    node_names: tuple[str, ...] = ()
    edge_inds: tuple[tuple[int, int], ...] = ()
    n_nodes: int = 0
    n_edges: int = 0
    class_names: tuple[str, ...] = ()
    n_classes: int = 0
    input_name: str = "image"
    input_dtype: str = "uint8"
    input_layout: str = "NCHW"
    input_shape: tuple[str | int, ...] = ()
    input_channels: int = 0
    input_scale: float = 1.0
    output_stride: int = 0
    crop_size: int | None = None
    max_instances: int | None = None
    max_batch_size: int | None = None
    precision: str = "fp32"
    export_format: str = "onnx"
    exporter: str = "pose"
    runtime_files: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def edge_indices(self) -> tuple[tuple[int, int], ...]:
        """Same as :attr:`edge_inds` (pose's earlier name)."""
        return self.edge_inds

    @classmethod
    def from_dict(cls, meta: dict[str, Any]) -> ExportMetadata:
        """Typed fields of a parsed metadata JSON (nulls become empty values).

        Raises:
            ModelLoadError: A field has a value of the wrong kind.
        """
        try:
            return cls._from_dict(meta)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelLoadError(f"export metadata has a malformed field: {exc}",
                                 hint="re-export the model") from exc

    @classmethod
    def _from_dict(cls, meta: dict[str, Any]) -> ExportMetadata:
        files: dict[str, tuple[str, ...]] = {}
        for net in _tuple(meta.get("networks")):
            names = [net["onnx"]] if net.get("onnx") else []
            trt = net.get("tensorrt")
            if isinstance(trt, str):
                names.append(trt)
            elif isinstance(trt, dict) and trt.get("engine"):
                names.append(str(trt["engine"]))
            files[str(net.get("role", ""))] = tuple(names)
        nodes = tuple(str(n) for n in _tuple(meta.get("node_names")))
        edges = tuple((int(a), int(b)) for a, b in _tuple(meta.get("edge_inds")))
        classes = tuple(str(c) for c in _tuple(meta.get("class_names")))
        return cls(
            model_type=str(meta["model_type"]),
            model_name=str(meta.get("model_name") or ""),
            node_names=nodes,
            edge_inds=edges,
            n_nodes=_int(meta.get("n_nodes")) or len(nodes),
            n_edges=_int(meta.get("n_edges")) or len(edges),
            class_names=classes,
            n_classes=_int(meta.get("n_classes")) or len(classes),
            input_name=str(meta.get("input_name") or "image"),
            input_dtype=str(meta.get("input_dtype") or "uint8"),
            input_layout=str(meta.get("input_layout") or "NCHW"),
            input_shape=_tuple(meta.get("input_shape")),
            input_channels=_int(meta.get("input_channels")),
            input_scale=float(meta.get("input_scale") or 1.0),
            output_stride=_int(meta.get("output_stride")),
            crop_size=_opt_int(meta.get("crop_size")),
            max_instances=_opt_int(meta.get("max_instances")),
            max_batch_size=_opt_int(meta.get("max_batch_size")),
            precision=str(meta.get("precision") or "fp32"),
            export_format=str(meta.get("export_format") or "onnx"),
            exporter=str(meta.get("exporter") or ("pose" if "networks" in meta
                                                   else "sleap-nn")),
            runtime_files=files,
            raw=meta,
        )


def export_folder(path: str | os.PathLike[str]) -> Path:
    """The export folder of ``path``: the folder itself, or the folder of a graph, engine or
    metadata file inside it (``model.onnx``, ``model.onnx.metadata.json``…)."""
    p = Path(path).expanduser()
    if p.suffix in (".onnx", ".trt", ".engine", ".json"):
        return p.parent
    return p


def load_metadata(export_dir: str | os.PathLike[str]) -> ExportMetadata:
    """The typed metadata of an export folder written by ``pose export`` or ``sleap-nn
    export`` (sleap-nn's ``load_metadata``).

    Args:
        export_dir: The export folder, or a file inside it (``model.onnx``…).

    Raises:
        InputNotFoundError: The folder does not exist.
        ModelLoadError: It is not an export folder, or its metadata cannot be read.
    """
    from pose_adapters.export.folder import read_metadata

    if not isinstance(export_dir, (str, os.PathLike)):
        raise ModelLoadError(f"export_dir must be a path, got {type(export_dir).__name__}")
    return ExportMetadata.from_dict(read_metadata(export_folder(export_dir)))
