"""A SLEAP ≤1.4 model with a non-UNet (LEAP CNN) backbone runs end to end through ``pose track``
on the Keras runtime; without tensorflow the CLI names the ``pose[legacy]`` extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tf_keras")

from pose_adapters.model_config import load_model_config
from pose_adapters.model_config.defaults import LEGACY_KERAS_STRIDES
from pose_app.model import Backbone
from pose_cli.main import main

from .builders import leap_brightness_model, training_config

VIDEO = Path(__file__).parents[2] / "data" / "videos" / "small_robot.mp4"


@pytest.fixture(scope="module")
def leap_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return leap_brightness_model(tmp_path_factory.mktemp("leap") / "model")


def _frames(n: int) -> np.ndarray:
    import cv2

    cap = cv2.VideoCapture(str(VIDEO))
    out = []
    for _ in range(n):
        ok, frame = cap.read()
        assert ok
        out.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float32))
    return np.stack(out)


@pytest.mark.slow
def test_leap_model_tracks_a_video_through_the_cli(leap_dir: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import sleap_io as sio

    out = tmp_path / "pred.slp"
    rc = main(["track", "-i", str(VIDEO), "-m", str(leap_dir), "--frames", "0-3",
               "-o", str(out), "--progress", "none", "--device", "cpu"])
    assert rc == 0, capsys.readouterr().err
    labels = sio.load_slp(str(out))
    assert len(labels.labeled_frames) == 4
    frames = _frames(4)
    w = frames.shape[2]
    for lf in sorted(labels.labeled_frames, key=lambda f: f.frame_idx):
        (inst,) = lf.instances
        pts = inst.numpy()
        assert np.isfinite(pts).all() and (pts >= 0).all() and (pts[:, 0] < w).all()
        img = frames[lf.frame_idx]

        def patch_mean(p: np.ndarray, img: np.ndarray = img) -> float:
            x, y = round(float(p[0])), round(float(p[1]))
            return float(img[max(y - 4, 0): y + 5, max(x - 4, 0): x + 5].mean())

        # Node A sits on a bright spot, node B on a dark one (hand-set weights).
        assert patch_mean(pts[0]) >= np.percentile(img, 95)
        assert patch_mean(pts[1]) <= np.percentile(img, 5)


def test_missing_tensorflow_names_the_legacy_extra(leap_dir: Path, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "sys.modules['tf_keras'] = None\n"
        "from pose_cli.main import main\n"
        f"sys.exit(main(['track', '-i', {str(VIDEO)!r}, '-m', {str(leap_dir)!r}, "
        f"'--frames', '0', '-o', {str(tmp_path / 'p.slp')!r}, '--progress', 'none']))\n"
    )
    env = {**os.environ, "POSE_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "pose[legacy]" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("backbone", sorted(LEGACY_KERAS_STRIDES))
def test_non_unet_backbone_specs_use_config_strides(backbone: str, leap_dir: Path,
                                                    tmp_path: Path) -> None:
    folder = tmp_path / backbone
    folder.mkdir()
    (folder / "best_model.h5").symlink_to(leap_dir / "best_model.h5")
    block = {"max_stride": 16, "output_stride": 2} if backbone != "pretrained_encoder" else {
        "encoder": "efficientnetb0", "output_stride": 2}
    cfg = training_config(backbone, block, output_stride=2)
    (folder / "training_config.json").write_text(json.dumps(cfg))
    mc = load_model_config(folder)
    assert mc.spec.backbone is Backbone(backbone)
    assert mc.spec.backbone.keras_only
    assert mc.spec.backbone.label == f"legacy:{backbone}"
    assert mc.spec.source_format == "sleap-legacy"
    assert mc.spec.max_stride == (32 if backbone == "pretrained_encoder" else 16)
    assert mc.spec.confmap_stride == 2
    assert mc.spec.in_channels == 1
    assert mc.spec.preprocessing.scale == 0.5


@pytest.mark.parametrize(("backbone", "strides"), sorted(LEGACY_KERAS_STRIDES.items()))
def test_non_unet_backbone_defaults(backbone: str, strides: tuple[int, int], leap_dir: Path,
                                    tmp_path: Path) -> None:
    folder = tmp_path / backbone
    folder.mkdir()
    (folder / "best_model.h5").symlink_to(leap_dir / "best_model.h5")
    cfg = training_config(backbone, {}, output_stride=strides[1])
    (folder / "training_config.json").write_text(json.dumps(cfg))
    mc = load_model_config(folder)
    assert (mc.backbone_config["max_stride"], mc.backbone_config["output_stride"]) == strides
