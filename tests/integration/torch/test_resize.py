"""TorchResizer against torchvision (oracle venv, when present) and basic properties."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pose_adapters.torch import TorchResizer
from pose_app.ports.runtime import ImageResizer
from pose_domain.errors import InvalidOptionError

ORACLE_PY = Path("/root/.cache/pose-reference/venv/bin/python")


def test_shapes_and_identity() -> None:
    r: ImageResizer = TorchResizer()
    img = np.random.default_rng(0).integers(0, 256, (2, 40, 60, 3), dtype=np.uint8)
    out = r.resize(img, 20, 30)
    assert out.shape == (2, 20, 30, 3) and out.dtype == np.uint8
    assert r.resize(img, 40, 60) is img


def test_constant_image_stays_constant() -> None:
    img = np.full((1, 33, 47, 1), 200, np.uint8)
    for h, w in [(16, 23), (66, 94), (10, 100)]:
        assert np.all(TorchResizer().resize(img, h, w) == 200)


def test_close_to_float_antialias() -> None:
    import torch
    import torch.nn.functional as F

    img = np.random.default_rng(1).integers(0, 256, (1, 50, 70, 1), dtype=np.uint8)
    out = TorchResizer().resize(img, 23, 31)
    x = torch.from_numpy(img).permute(0, 3, 1, 2).float()
    ref = F.interpolate(x, size=[23, 31], mode="bilinear", antialias=True, align_corners=False)
    ref_u8 = ref.round().clamp(0, 255).permute(0, 2, 3, 1).numpy()
    assert np.abs(out.astype(int) - ref_u8).max() <= 1


def test_bad_input() -> None:
    with pytest.raises(InvalidOptionError):
        TorchResizer().resize(np.zeros((4, 4, 1), np.uint8), 2, 2)
    with pytest.raises(InvalidOptionError):
        TorchResizer().resize(np.zeros((1, 4, 4, 1), np.uint8), 0, 2)


@pytest.mark.slow
@pytest.mark.skipif(not ORACLE_PY.exists(), reason="reference venv with torchvision absent")
def test_bit_identical_to_torchvision(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    cases = {}
    for i, (h0, w0, c, h, w) in enumerate(
        [
            (384, 384, 1, 192, 192),
            (100, 37, 3, 141, 11),
            (61, 83, 3, 122, 166),
            (240, 320, 1, 256, 341),
        ]
    ):
        cases[f"c{i}_{h}_{w}"] = rng.integers(0, 256, (h0, w0, c), dtype=np.uint8)
    np.savez(tmp_path / "in.npz", **cases)
    script = textwrap.dedent(
        """
        import sys, numpy as np, torch
        from torchvision.transforms.v2.functional import resize
        d = np.load(sys.argv[1])
        out = {}
        for k in d.files:
            h, w = map(int, k.split("_")[1:3])
            t = torch.from_numpy(d[k]).permute(2, 0, 1)
            out[k] = resize(t, [h, w], antialias=True).permute(1, 2, 0).numpy()
        np.savez(sys.argv[2], **out)
        """
    )
    (tmp_path / "tv.py").write_text(script)
    proc = subprocess.run(
        [
            str(ORACLE_PY),
            str(tmp_path / "tv.py"),
            str(tmp_path / "in.npz"),
            str(tmp_path / "o.npz"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"torchvision not usable in the reference venv: {proc.stderr[-200:]}")
    ref = np.load(tmp_path / "o.npz")
    for k, img in cases.items():
        h, w = map(int, k.split("_")[1:3])
        np.testing.assert_array_equal(TorchResizer().resize(img[None], h, w)[0], ref[k])
