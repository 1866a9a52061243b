"""Fake model exporter (port: ``ModelExporter``): specs by path, folders kept in memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from pose_app.model import Backbone, ModelSpec, Preprocessing
from pose_app.ports.export import EngineBuild, ExportedNetwork, ExportManifest, NetworkExport
from pose_domain.errors import InputNotFoundError, MissingExtraError
from pose_domain.skeleton import Skeleton

if TYPE_CHECKING:
    from pose_app.ports.export import ModelExporter


def spec(model_type: str, path: str) -> ModelSpec:
    """A small spec of ``model_type`` at ``path``."""
    return ModelSpec(
        path=path, model_type=model_type, skeleton=Skeleton(nodes=["a", "b"]),
        backbone=Backbone.UNET, in_channels=1, max_stride=16, confmap_stride=2,
        preprocessing=Preprocessing(scale=1.0, crop_size=64),
    )


@attrs.define
class FakeExporter:
    """Exports the specs registered by path; records what each folder received.

    Attributes:
        specs: Model path -> spec (other paths are missing).
        engines: Whether TensorRT engines can be built.
        folders: Folder -> the networks written into it, in order.
        manifests: Folder -> the metadata written.
    """

    specs: dict[str, ModelSpec]
    engines: bool = True
    folders: dict[str, list[ExportedNetwork]] = attrs.Factory(dict)
    manifests: dict[str, ExportManifest] = attrs.Factory(dict)

    def read_spec(self, model_path: str) -> ModelSpec:
        if model_path not in self.specs:
            raise InputNotFoundError(f"model not found: {model_path}")
        return self.specs[model_path]

    def check_engine_build(self, device: str) -> None:
        if not self.engines:
            raise MissingExtraError("tensorrt", "tensorrt", "a TensorRT engine")

    def export_network(self, network: NetworkExport, folder: str, *, opset: int,
                       verify: bool) -> ExportedNetwork:
        src = self.read_spec(network.model_path)
        pre = src.preprocessing
        if network.input_scale is not None:
            pre = attrs.evolve(pre, scale=network.input_scale)
        if network.crop_size is not None:
            pre = attrs.evolve(pre, crop_size=network.crop_size)
        net = ExportedNetwork(role=network.role, spec=attrs.evolve(src, preprocessing=pre),
                              source_path=src.path, output_names=("confmaps",))
        self.folders.setdefault(folder, []).append(net)
        return net

    def build_engine(self, folder: str, network: ExportedNetwork,
                     build: EngineBuild) -> ExportedNetwork:
        self.check_engine_build(build.device)
        done = attrs.evolve(network, engine={"engine": f"{network.role}.trt",
                                             "precision": build.precision})
        self.folders[folder] = [done if n.role == network.role else n
                                for n in self.folders[folder]]
        return done

    def write_metadata(self, folder: str, manifest: ExportManifest) -> None:
        self.manifests[folder] = manifest


if TYPE_CHECKING:
    _exporter: ModelExporter = FakeExporter({})
