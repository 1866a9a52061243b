"""Fake model loader (port: ``ModelLoader``) and a spec to build fake models from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pose_app.model import Backbone, ModelSpec, Preprocessing
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_domain.errors import InputNotFoundError
from pose_domain.skeleton import Skeleton

if TYPE_CHECKING:
    from pose_app.ports.models import ModelLoader


class FakeLoader:
    """Returns the model registered under a path; any other path is missing."""

    def __init__(self, models: dict[str, LoadedModel]) -> None:
        self.models = models

    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        if path not in self.models:
            raise InputNotFoundError(f"model not found: {path}",
                                     hint="give a model folder, best.ckpt or training_config")
        return [self.models[path]]


def single_instance_spec(n_nodes: int = 2, stride: int = 2) -> ModelSpec:
    return ModelSpec(
        path="single", model_type="single_instance",
        skeleton=Skeleton(nodes=[f"n{i}" for i in range(n_nodes)]),
        backbone=Backbone.UNET, in_channels=1, max_stride=16, confmap_stride=stride,
        preprocessing=Preprocessing(),
    )


if TYPE_CHECKING:
    _loader: ModelLoader = FakeLoader({})
