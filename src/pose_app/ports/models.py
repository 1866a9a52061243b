"""Loading trained models: a spec plus a runtime that runs the network."""

from __future__ import annotations

from typing import Protocol

import attrs

from pose_app.model import ModelSpec
from pose_app.options import InferenceOptions
from pose_app.ports.runtime import NetworkRuntime


@attrs.frozen
class LoadedModel:
    """A model ready to run: what it is, and how to run it."""

    spec: ModelSpec
    runtime: NetworkRuntime


class ModelLoader(Protocol):
    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        """Load a model folder (sleap-nn, SLEAP legacy, or a ``pose export`` folder, which
        may hold two networks: top-down)."""
        ...
