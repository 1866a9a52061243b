"""Regenerate the oracle fixtures in ``data/`` (dev tool; NOT part of the test run).

Runs the reference sleap-nn 0.3.5 as a black box, in its own venv::

    /root/.cache/pose-reference/venv/bin/python tests/integration/torch_backbones/oracle_gen.py

For each case it builds the reference network from a backbone config, gives it either a real
checkpoint's weights or the deterministic weights of ``_synth.py``, runs a seeded input and
saves the backbone outputs to ``data/<case>.npz``. SwinT is covered by ``swint_custom``
(synthetic weights): a trained SwinT checkpoint is too large to ship in the repository.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
import yaml
from omegaconf import OmegaConf
from sleap_nn.architectures.model import Model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
from _synth import seeded_input, synthetic_state  # noqa: E402

CONVNEXT_CKPT = ROOT / "tests/data/models/sleapnn/convnext_single_instance"

CONVNEXT_CUSTOM = {
    "model_type": "custom",
    "arch": {"channels": [8, 12, 20, 24], "depths": [1, 2, 1, 1]},
    "stem_patch_kernel": 4,
    "stem_patch_stride": 2,
    "in_channels": 1,
    "kernel_size": 5,
    "filters_rate": 1.5,
    "convs_per_block": 3,
    "up_interpolate": False,
    "output_stride": 1,
    "max_stride": 32,
}
SWINT_CUSTOM = {
    "model_type": "custom",
    "arch": {"embed": 8, "depths": [1, 2, 1, 2], "num_heads": [1, 2, 2, 4]},
    "patch_size": 4,
    "stem_patch_stride": 2,
    "window_size": 3,
    "in_channels": 1,
    "kernel_size": 3,
    "filters_rate": 2.0,
    "convs_per_block": 2,
    "up_interpolate": True,
    "output_stride": 2,
    "max_stride": 32,
}


def build(kind: str, backbone: dict, output_stride: int) -> Model:
    heads = OmegaConf.create(
        {"confmaps": {"part_names": ["A", "B"], "sigma": 5.0, "output_stride": output_stride}}
    )
    torch.manual_seed(0)
    return Model.from_config(kind, OmegaConf.create(backbone), heads, "single_instance").eval()


def run(model: Model, x: np.ndarray, out: Path, kind: str, backbone: dict) -> None:
    with torch.no_grad():
        t = torch.from_numpy(x)
        bo = model.backbone(t)
        head = model(t)
    arrays: dict[str, np.ndarray] = {
        "x": x,
        "middle": bo["middle_output"].numpy(),
        "strides": np.asarray(bo["strides"], dtype=np.int64),
        "keys": np.asarray(json.dumps(list(model.backbone.state_dict()))),
        "config": np.asarray(json.dumps({"kind": kind, "backbone": backbone})),
        "head": next(iter(head.values())).numpy() if isinstance(head, dict) else head.numpy(),
    }
    for i, o in enumerate(bo["outputs"]):
        arrays[f"out{i}"] = o.numpy()
    for k, v in model.backbone.state_dict().items():
        if not v.is_floating_point():
            arrays["buffer:" + k] = v.numpy()
    np.savez_compressed(out, **arrays)
    print(out, {k: v.shape for k, v in arrays.items() if not k.startswith("buffer:")})


def load_ckpt(model: Model, path: Path) -> None:
    sd = torch.load(path, weights_only=False, map_location="cpu")["state_dict"]
    model.load_state_dict({k[len("model.") :]: v for k, v in sd.items()}, strict=True)


def load_synthetic(model: Model) -> None:
    sd = model.backbone.state_dict()
    shapes = {k: tuple(v.shape) for k, v in sd.items() if v.is_floating_point()}
    synth = {k: torch.from_numpy(v) for k, v in synthetic_state(shapes).items()}
    model.backbone.load_state_dict({**sd, **synth}, strict=True)


def trained_case(folder: Path, out: Path, shape: tuple[int, int, int, int], seed: int) -> None:
    cfg = yaml.safe_load((folder / "training_config.yaml").read_text())
    bcfg = cfg["model_config"]["backbone_config"]
    kind = "convnext" if bcfg.get("convnext") else "swint"
    os_ = cfg["model_config"]["head_configs"]["single_instance"]["confmaps"]["output_stride"]
    model = build(kind, bcfg[kind], os_)
    load_ckpt(model, folder / "best.ckpt")
    run(model, seeded_input(shape, seed), out, kind, bcfg[kind])


def main() -> None:
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    trained_case(CONVNEXT_CKPT, data / "convnext_single_instance.npz", (1, 3, 72, 100), 11)
    for name, kind, cfg, shape, seed in (
        ("convnext_custom", "convnext", CONVNEXT_CUSTOM, (1, 1, 37, 50), 12),
        ("swint_custom", "swint", SWINT_CUSTOM, (1, 1, 70, 90), 13),
    ):
        model = build(kind, cfg, int(cfg["output_stride"]))
        load_synthetic(model)
        run(model, seeded_input(shape, seed), data / f"{name}.npz", kind, cfg)


if __name__ == "__main__":
    main()
