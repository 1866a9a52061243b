"""Networks build from every UNet fixture, load strictly and give the right output shapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from pose_adapters.torch import build_network
from pose_adapters.torch.checkpoint import load_state_dict
from pose_domain.errors import InputNotFoundError, ModelLoadError

MODELS = Path(__file__).parents[2] / "data" / "models"
SLEAPNN_UNET = [
    "single_instance",
    "centroid",
    "centered_instance",
    "bottomup",
    "multiclass_bottomup",
    "multiclass_centered_instance",
]
LEGACY = sorted(p.name for p in (MODELS / "legacy").iterdir() if p.is_dir())


def _expected_shapes(spec, b: int, h: int, w: int) -> dict[str, tuple[int, ...]]:
    n = 1 if spec.model_type == "centroid" else spec.skeleton.n_nodes
    s = spec.confmap_stride
    out = {"confmaps": (b, n, h // s, w // s)}
    if spec.paf_stride:
        out["pafs"] = (b, 2 * spec.skeleton.n_edges, h // spec.paf_stride, w // spec.paf_stride)
    if spec.class_map_stride:
        c = spec.class_map_stride
        out["class_maps"] = (b, len(spec.classes), h // c, w // c)
    if spec.model_type == "multi_class_topdown":
        out["class_vectors"] = (b, len(spec.classes))
    return out


@pytest.mark.parametrize("name", SLEAPNN_UNET)
def test_sleapnn_unet_builds_strictly(name: str) -> None:
    spec, net = build_network(str(MODELS / "sleapnn" / name))
    ckpt_keys = list(load_state_dict(MODELS / "sleapnn" / name / "best.ckpt"))
    assert sorted(net.state_dict()) == sorted(ckpt_keys)
    assert not net.training
    h, w = 2 * spec.max_stride, 3 * spec.max_stride
    x = torch.rand(2, spec.in_channels, h, w)
    out = net(x)
    assert {k: tuple(v.shape) for k, v in out.items()} == _expected_shapes(spec, 2, h, w)
    assert all(v.dtype == torch.float32 for v in out.values())
    if "class_maps" in out:
        assert float(out["class_maps"].min()) >= 0 and float(out["class_maps"].max()) <= 1
    if "class_vectors" in out:
        np.testing.assert_allclose(out["class_vectors"].sum(-1).numpy(), 1.0, rtol=1e-5)


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_builds(name: str) -> None:
    spec, net = build_network(str(MODELS / "legacy" / name))
    h, w = 2 * spec.max_stride, 2 * spec.max_stride
    out = net(torch.rand(1, spec.in_channels, h, w))
    assert {k: tuple(v.shape) for k, v in out.items()} == _expected_shapes(spec, 1, h, w)


def test_channel_autofix_in_forward() -> None:
    spec, net = build_network(str(MODELS / "sleapnn" / "centroid"))
    assert spec.in_channels == 1
    rgb = torch.rand(1, 3, 32, 32)
    gray = rgb[:, 0:1] * 0.2989 + rgb[:, 1:2] * 0.587 + rgb[:, 2:3] * 0.114
    np.testing.assert_allclose(
        net(rgb)["confmaps"].numpy(), net(gray)["confmaps"].numpy(), atol=1e-5
    )


def _write_ckpt(path: Path, sd: dict) -> str:
    torch.save({"state_dict": {f"model.{k}": v for k, v in sd.items()}}, path)
    return str(path)


def test_head_override_replaces_only_heads(tmp_path: Path) -> None:
    folder = MODELS / "sleapnn" / "centroid"
    sd = load_state_dict(folder / "best.ckpt")
    changed = {k: torch.full_like(v, 0.5) for k, v in sd.items()}
    other = _write_ckpt(tmp_path / "other.ckpt", changed)
    _, net = build_network(str(folder), head_ckpt_path=other)
    got = net.state_dict()
    for k in sd:
        expect = changed[k] if k.startswith("head_layers.") else sd[k]
        assert torch.equal(got[k], expect), k


def test_backbone_only_override_loads_every_key(tmp_path: Path) -> None:
    folder = MODELS / "sleapnn" / "centroid"
    sd = load_state_dict(folder / "best.ckpt")
    changed = {k: torch.full_like(v, 0.25) for k, v in sd.items()}
    other = _write_ckpt(tmp_path / "bb.ckpt", changed)
    _, net = build_network(str(folder), backbone_ckpt_path=other)
    assert all(torch.equal(v, changed[k]) for k, v in net.state_dict().items())


def test_backbone_and_head_overrides_take_their_parts(tmp_path: Path) -> None:
    folder = MODELS / "sleapnn" / "centroid"
    sd = load_state_dict(folder / "best.ckpt")
    bb = _write_ckpt(tmp_path / "bb.ckpt", {k: torch.full_like(v, 1.0) for k, v in sd.items()})
    hd = _write_ckpt(tmp_path / "hd.ckpt", {k: torch.full_like(v, 2.0) for k, v in sd.items()})
    _, net = build_network(str(folder), backbone_ckpt_path=bb, head_ckpt_path=hd)
    for k, v in net.state_dict().items():
        assert float(v.flatten()[0]) == (2.0 if k.startswith("head_layers.") else 1.0), k


def test_override_with_wrong_shapes_is_a_model_load_error() -> None:
    with pytest.raises(ModelLoadError, match="shape mismatch"):
        build_network(
            str(MODELS / "sleapnn" / "centroid"),
            backbone_ckpt_path=str(MODELS / "sleapnn" / "multiclass_bottomup" / "best.ckpt"),
        )


def test_override_missing_file() -> None:
    with pytest.raises(InputNotFoundError):
        build_network(str(MODELS / "sleapnn" / "centroid"), head_ckpt_path="/nope.ckpt")


def test_config_and_weights_from_different_runs(tmp_path: Path) -> None:
    shutil.copy(MODELS / "sleapnn" / "centroid" / "training_config.yaml", tmp_path)
    shutil.copy(MODELS / "sleapnn" / "bottomup" / "best.ckpt", tmp_path)
    with pytest.raises(ModelLoadError, match="do not match"):
        build_network(str(tmp_path))
