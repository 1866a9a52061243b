"""Loaded models for the runtime and model-loader contracts, loaded once per session."""

from __future__ import annotations

import functools
import importlib.util
from typing import cast

import pytest

from pose_app.model import MODEL_TYPES
from pose_app.options import InferenceOptions, RuntimeName
from pose_app.ports.models import LoadedModel, ModelLoader
from tests.conftest import MODELS
from tests.fakes import FakeLoader, FakeRuntime, single_instance_spec

#: Small shipped models: single instance (confmaps) and bottom-up (confmaps + PAFs).
MODEL_DIRS = {
    "single_instance": str(MODELS / "sleapnn" / "single_instance"),
    "bottomup": str(MODELS / "sleapnn" / "bottomup"),
}
HAS_OPENVINO = importlib.util.find_spec("openvino") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None
_needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
MARKS = {
    "fake": [],
    "torch": [_needs_torch],
    "onnx": [_needs_torch],
    "openvino": [_needs_torch,
                 pytest.mark.skipif(not HAS_OPENVINO, reason="openvino not installed")],
}
RUNTIMES = [pytest.param(kind, marks=marks, id=kind) for kind, marks in MARKS.items()]
#: (runtime, model): every runtime on every model, the fake on its one single-instance model.
PAIRS = [
    pytest.param(kind, model, marks=marks, id=f"{kind}-{model}")
    for model in sorted(MODEL_DIRS) for kind, marks in MARKS.items()
    if kind != "fake" or model == "single_instance"
]
assert set(MODEL_DIRS) <= set(MODEL_TYPES)


def fake_loader() -> ModelLoader:
    spec = single_instance_spec(n_nodes=2, stride=2)
    runtime = FakeRuntime(spec, lambda frame: [(8.0, 8.0), (12.0, 4.0)])
    return FakeLoader({MODEL_DIRS["single_instance"]: LoadedModel(spec=spec, runtime=runtime)})


def real_loader() -> ModelLoader:
    from pose_adapters.models import ModelFolderLoader

    return ModelFolderLoader()


def loader_for(kind: str) -> ModelLoader:
    return fake_loader() if kind == "fake" else real_loader()


@functools.cache
def loaded(kind: str, model: str) -> LoadedModel:
    """``model`` loaded for runtime ``kind`` on the CPU (the fake has only single_instance)."""
    runtime = cast(RuntimeName, "auto" if kind == "fake" else kind)
    options = InferenceOptions(runtime=runtime, device="cpu")
    [m] = loader_for(kind).load(MODEL_DIRS[model], options)
    return m
