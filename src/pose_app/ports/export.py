"""Port of ``pose export``: the converter that writes one network into an export folder
(ADR-0152).

The use case (:mod:`pose_app.export`) decides what is exported: which models, in which
order and under which file stem (role), which preprocessing overrides apply, whether a TensorRT
engine is built and what the metadata records. The exporter does the work that needs torch,
ONNX, TensorRT and the file system.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from pose_app.model import ModelSpec


@attrs.frozen(kw_only=True)
class NetworkExport:
    """One network to export.

    Attributes:
        model_path: The model folder (sleap-nn) or legacy ``.h5`` model.
        role: File stem in the folder: ``model``, ``centroid``, ``centered_instance``...
        input_scale: Replaces the spec's input scale (None: keep the training config's).
        crop_size: Replaces the spec's crop size (None: keep).
    """

    model_path: str
    role: str
    input_scale: float | None = None
    crop_size: int | None = None


@attrs.frozen(kw_only=True)
class EngineBuild:
    """A TensorRT engine build: precision, device, batch range and the size it is tuned for
    (None: the training config's size)."""

    precision: str
    device: str
    max_batch_size: int
    height: int | None = None
    width: int | None = None


@attrs.frozen(kw_only=True)
class ExportedNetwork:
    """One network written into the folder.

    Attributes:
        role: File stem (``<role>.onnx``).
        spec: The spec as exported (overrides applied).
        source_path: The model folder it came from (absolute).
        output_names: The graph's output keys, in order.
        training_config: File name of the copied training config (None when there is none).
        engine: The TensorRT engine record (file, precision, profile), None without one.
    """

    role: str
    spec: ModelSpec
    source_path: str
    output_names: tuple[str, ...]
    training_config: str | None = None
    engine: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class ExportManifest:
    """What ``export_metadata.json`` records besides the networks' own entries."""

    model_type: str
    export_format: str
    networks: tuple[ExportedNetwork, ...]
    max_instances: int
    max_batch_size: int
    precision: str
    opset: int
    inference_defaults: Mapping[str, Any]


class ModelExporter(Protocol):
    def read_spec(self, model_path: str) -> ModelSpec:
        """The model's spec from its config alone (cheap: no weights are loaded).

        Raises:
            ModelLoadError, InputNotFoundError: the model cannot be read.
        """
        ...

    def check_engine_build(self, device: str) -> None:
        """Refuse early when no TensorRT engine can be built on ``device``.

        Raises:
            MissingExtraError, DeviceUnavailableError.
        """
        ...

    def export_network(self, network: NetworkExport, folder: str, *, opset: int,
                       verify: bool) -> ExportedNetwork:
        """Write ``<role>.onnx`` (and a copy of the training config) into ``folder``, which is
        created when missing; ``verify`` checks the graph against the checkpoint.

        Raises:
            ModelLoadError, InferenceError, OutputWriteError.
        """
        ...

    def build_engine(self, folder: str, network: ExportedNetwork,
                     build: EngineBuild) -> ExportedNetwork:
        """Build ``<role>.trt`` from ``<role>.onnx``; ``network`` with its engine record.

        Raises:
            MissingExtraError, DeviceUnavailableError, InferenceError.
        """
        ...

    def write_metadata(self, folder: str, manifest: ExportManifest) -> None:
        """Write ``export_metadata.json`` (atomically: a folder without it is no export)."""
        ...
