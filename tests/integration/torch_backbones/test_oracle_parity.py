"""ConvNeXt/SwinT backbones against outputs of the reference sleap-nn 0.3.5 (``oracle_gen.py``).

Fixtures in ``data/`` hold a seeded input and the reference backbone outputs; the weights come
from a real checkpoint (``tests/data/models/sleapnn/convnext_single_instance``) or from
``_synth.py`` (same deterministic values on both sides).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import yaml

from pose_adapters.torch.checkpoint import load_state_dict
from pose_adapters.torch.convnext import ConvNextBackbone
from pose_adapters.torch.swint import SwinTBackbone

from ._synth import synthetic_state

HERE = Path(__file__).parent
DATA = HERE / "data"
MODELS = HERE.parents[1] / "data" / "models" / "sleapnn"
ATOL = 1e-5


def _fixture(name: str) -> dict[str, Any]:
    with np.load(DATA / f"{name}.npz") as z:
        return {k: z[k] for k in z.files}


def _build(kind: str, cfg: dict[str, Any]) -> torch.nn.Module:
    cls = ConvNextBackbone if kind == "convnext" else SwinTBackbone
    return cls(cfg).eval()


def _backbone_part(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k[len("backbone.") :]: v for k, v in sd.items() if k.startswith("backbone.")}


def _check_outputs(model: torch.nn.Module, ref: dict[str, Any]) -> dict[str, Any]:
    with torch.no_grad():
        out = model(torch.from_numpy(ref["x"]))
    assert out["strides"] == ref["strides"].tolist()
    n_out = len([k for k in ref if k.startswith("out")])
    assert len(out["outputs"]) == n_out
    np.testing.assert_allclose(out["middle"].numpy(), ref["middle"], atol=ATOL, rtol=0)
    for i, got in enumerate(out["outputs"]):
        assert model.stride_to_filters[out["strides"][i]] == got.shape[1]
        np.testing.assert_allclose(got.numpy(), ref[f"out{i}"], atol=ATOL, rtol=0)
    return out


def _check_head(out: dict[str, Any], sd: dict[str, torch.Tensor], ref: dict[str, Any]) -> None:
    w = sd["head_layers.0.SingleInstanceConfmapsHead.0.weight"]
    b = sd["head_layers.0.SingleInstanceConfmapsHead.0.bias"]
    with torch.no_grad():
        confmaps = F.conv2d(out["outputs"][-1], w, b)
    np.testing.assert_allclose(confmaps.numpy(), ref["head"], atol=ATOL, rtol=0)


def test_convnext_checkpoint_loads_strictly_and_matches_oracle() -> None:
    folder = MODELS / "convnext_single_instance"
    cfg = yaml.safe_load((folder / "training_config.yaml").read_text())
    model = _build("convnext", cfg["model_config"]["backbone_config"]["convnext"])
    sd = load_state_dict(folder / "best.ckpt")
    part = _backbone_part(sd)
    assert list(model.state_dict()) == list(part)  # same names, same order
    model.load_state_dict(part, strict=True)
    ref = _fixture("convnext_single_instance")
    assert list(part) == json.loads(str(ref["keys"]))
    out = _check_outputs(model, ref)
    _check_head(out, sd, ref)


@pytest.mark.parametrize("name", ["convnext_custom", "swint_custom"])
def test_custom_arch_matches_oracle_with_synthetic_weights(name: str) -> None:
    ref = _fixture(name)
    conf = json.loads(str(ref["config"]))
    model = _build(conf["kind"], conf["backbone"])
    state = model.state_dict()
    assert list(state) == json.loads(str(ref["keys"]))
    for key, value in ref.items():
        if key.startswith("buffer:"):  # e.g. SwinT relative_position_index
            assert torch.equal(state[key[len("buffer:") :]], torch.from_numpy(value)), key
    shapes = {k: tuple(v.shape) for k, v in state.items() if v.is_floating_point()}
    synth = {k: torch.from_numpy(v) for k, v in synthetic_state(shapes).items()}
    model.load_state_dict({**state, **synth}, strict=True)
    _check_outputs(model, ref)
