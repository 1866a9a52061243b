"""Legacy SLEAP .h5 UNets against the TensorFlow activations stored next to them.

Each ``dummy_activations.h5`` holds the Keras outputs (NHWC) for an all-zeros input whose
shape is in its ``metadata`` JSON. Bilinear decoders match to ≤1e-4. Transposed-conv decoders
reproduce sleap-nn's conversion by default (its known offset, up to 4.4e-2) and match Keras to
≤1e-6 with ``keras_exact_transpose=True`` (ADR 0011).
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from pose_adapters.torch import build_network
from pose_adapters.torch.heads import HEAD_OUTPUTS

LEGACY = Path(__file__).parents[2] / "data" / "models" / "legacy"
BILINEAR = {
    "min_tracks_2node.UNet.bottomup_multiclass",
    "min_tracks_2node.UNet.topdown_multiclass",
    "minimal_robot.UNet.single_instance",
}
TRANSPOSED = {
    "minimal_instance.UNet.bottomup",
    "minimal_instance.UNet.centered_instance",
    "minimal_instance.UNet.centroid",
}
#: Max abs deviation of sleap-nn 0.3.5's own conversion (parity notes §1.3), per head.
REFERENCE_DEVIATION = {
    ("minimal_instance.UNet.bottomup", "MultiInstanceConfmapsHead"): 1.8e-4,
    ("minimal_instance.UNet.bottomup", "PartAffinityFieldsHead"): 6.8e-3,
    ("minimal_instance.UNet.centered_instance", "CenteredInstanceConfmapsHead"): 4.4e-2,
    ("minimal_instance.UNet.centroid", "CentroidConfmapsHead"): 1.9e-3,
}


def _deviations(name: str, exact: bool) -> dict[str, float]:
    folder = LEGACY / name
    _, net = build_network(str(folder), keras_exact_transpose=exact)
    with h5py.File(folder / "dummy_activations.h5", "r") as f:
        meta = json.loads(f["metadata"][()])
        acts = {k: f[k][()] for k in f if k != "metadata"}
    n, h, w, c = meta["input_shape"]
    with torch.no_grad():
        out = net(torch.zeros(n, c, h, w))
    devs = {}
    for key, ref in acts.items():
        head = key.rsplit("_", 1)[0] if key.rsplit("_", 1)[-1].isdigit() else key
        if head not in HEAD_OUTPUTS:  # OffsetRefinementHead: no sleap-nn equivalent
            continue
        mine = out[HEAD_OUTPUTS[head][0]].numpy()
        if mine.ndim == 4:
            mine = mine.transpose(0, 2, 3, 1)
        assert mine.shape == ref.shape, (head, mine.shape, ref.shape)
        devs[head] = float(np.abs(mine - ref).max())
    assert devs
    return devs


@pytest.mark.parametrize("name", sorted(BILINEAR))
def test_bilinear_decoders_match_tensorflow(name: str) -> None:
    assert max(_deviations(name, exact=False).values()) <= 1e-4


@pytest.mark.parametrize("name", sorted(TRANSPOSED))
def test_transposed_conv_default_reproduces_reference_conversion(name: str) -> None:
    for head, dev in _deviations(name, exact=False).items():
        ref = REFERENCE_DEVIATION[(name, head)]
        assert dev == pytest.approx(ref, rel=0.1), (head, dev)


@pytest.mark.parametrize("name", sorted(TRANSPOSED))
def test_transposed_conv_keras_exact_mode(name: str) -> None:
    assert max(_deviations(name, exact=True).values()) <= 1e-6
