"""``pose export``: one model, or a top-down pair, into a self-contained folder (ADR-0051,
ADR-0152).

The use case checks the models go together, names each network's file (its role), orders
them (centroid first), picks the preprocessing overrides each model type takes, and says what
the metadata records. A :class:`~pose_app.ports.export.ModelExporter` converts and writes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import attrs

from pose_app.model import ModelSpec
from pose_app.options_commands import ExportOptions
from pose_app.ports.export import (
    EngineBuild,
    ExportedNetwork,
    ExportManifest,
    ModelExporter,
    NetworkExport,
)
from pose_domain.errors import IncompatibleModelsError, InvalidOptionError

#: Model types whose input scale ``--input-scale`` replaces.
SCALED_TYPES = ("centroid", "single_instance", "bottomup", "multi_class_bottomup")
#: Model types whose crop size ``--crop-size`` replaces.
CROPPED_TYPES = ("centered_instance", "multi_class_topdown")


@attrs.frozen(kw_only=True)
class ExportRequest:
    """Attributes:
    model_paths: One model folder, or a centroid folder and a centered-instance /
        multi-class top-down folder (either order). sleap-nn and legacy ``.h5`` models.
    options: The ``pose export`` flags.
    """

    model_paths: tuple[str, ...]
    options: ExportOptions = attrs.field(factory=ExportOptions)


@attrs.frozen(kw_only=True)
class ExportResult:
    """The folder written and its networks (centroid first)."""

    output_dir: str
    networks: tuple[ExportedNetwork, ...]


def export_roles(specs: Sequence[ModelSpec]) -> tuple[str, list[str]]:
    """The export's model type and the file stem (role) of each network.

    Raises:
        IncompatibleModelsError: More than two models, or two that make no top-down pair.
    """
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


def default_output_dir(model_type: str, specs: Sequence[ModelSpec]) -> str:
    """The reference's default: ``<model>/exported``, ``<centroid>/exported_topdown`` or
    ``<centroid>/exported_multi_class_topdown``."""
    if len(specs) == 1:
        return os.path.join(os.path.normpath(specs[0].path), "exported")
    centroid = next(s for s in specs if s.model_type == "centroid")
    suffix = "topdown" if model_type == "topdown" else "multi_class_topdown"
    return os.path.join(os.path.normpath(centroid.path), f"exported_{suffix}")


@attrs.define
class ExportUseCase:
    """Export the models of a request through ``exporter``."""

    exporter: ModelExporter

    def run(self, request: ExportRequest) -> ExportResult:
        """Export ``request.model_paths`` into one folder.

        Raises:
            InvalidOptionError: no model.
            IncompatibleModelsError: models that make no export together.
            ModelLoadError, InputNotFoundError, MissingExtraError, DeviceUnavailableError,
            InferenceError: from the exporter.
        """
        opts = request.options
        if not request.model_paths:
            raise InvalidOptionError("give at least one model folder to export")
        # the configs alone: refuse a bad pair before any weights load
        specs = [self.exporter.read_spec(p) for p in request.model_paths]
        model_type, roles = export_roles(specs)
        if opts.wants_engine:
            self.exporter.check_engine_build(opts.device)
        out = os.path.normpath(opts.output) if opts.output else default_output_dir(model_type,
                                                                                   specs)
        networks: list[ExportedNetwork] = []
        for i in sorted(range(len(specs)), key=lambda i: roles[i] != "centroid"):
            kind = specs[i].model_type
            net = self.exporter.export_network(
                NetworkExport(
                    model_path=request.model_paths[i], role=roles[i],
                    input_scale=opts.input_scale if kind in SCALED_TYPES else None,
                    crop_size=opts.crop_size if kind in CROPPED_TYPES else None,
                ),
                out, opset=opts.opset_version, verify=opts.verify,
            )
            if opts.wants_engine:
                net = self.exporter.build_engine(out, net, EngineBuild(
                    precision=opts.engine_precision, device=opts.device,
                    max_batch_size=opts.max_batch_size, height=opts.input_height,
                    width=opts.input_width,
                ))
            networks.append(net)
        self.exporter.write_metadata(out, ExportManifest(
            model_type=model_type, export_format=opts.format, networks=tuple(networks),
            max_instances=opts.max_instances, max_batch_size=opts.max_batch_size,
            precision=opts.engine_precision if opts.wants_engine else "fp32",
            opset=opts.opset_version, inference_defaults=opts.inference_defaults(),
        ))
        return ExportResult(output_dir=out, networks=tuple(networks))
