"""Tiny SLEAP-style Keras models built with tf-keras for the tests (non-UNet backbones).

``leap_brightness_model`` writes a LEAP-CNN-shaped encoder-decoder whose weights are set by
hand, so its predictions are predictable: node ``A`` peaks where the (blurred) frame is
brightest, node ``B`` where it is darkest.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np

LEGACY = Path(__file__).parents[2] / "data" / "models" / "legacy"
TEMPLATE = LEGACY / "minimal_robot.UNet.single_instance" / "training_config.json"


def training_config(backbone: str, block: dict[str, Any], *, input_scaling: float = 0.5,
                    output_stride: int = 1) -> dict[str, Any]:
    """The minimal_robot SLEAP config with its backbone block replaced."""
    cfg = json.loads(TEMPLATE.read_text())
    cfg = copy.deepcopy(cfg)
    bb = cfg["model"]["backbone"]
    for k in list(bb):
        bb[k] = None
    bb[backbone] = block
    cfg["model"]["heads"]["single_instance"]["output_stride"] = output_stride
    cfg["data"]["preprocessing"]["input_scaling"] = input_scaling
    cfg["data"]["preprocessing"]["pad_to_stride"] = block.get("max_stride", 4)
    return cfg


def leap_brightness_model(folder: Path, *, input_scaling: float = 0.5) -> Path:
    """Write ``best_model.h5`` + ``training_config.json`` of a 1-channel LEAP-style model.

    Encoder: 3x3 mean conv → 2 max-pools (max stride 4); decoder: 2 bilinear up-samplings
    (output stride 1); head ``SingleInstanceConfmapsHead_0`` (1x1 conv, 2 channels):
    ``A = blurred``, ``B = 1 - blurred``.
    """
    from pose_adapters.keras.runtime import import_tf_keras

    _, keras = import_tf_keras()
    layers = keras.layers
    folder.mkdir(parents=True, exist_ok=True)
    inp = keras.Input((None, None, 1), name="input")
    x = layers.Conv2D(2, 3, padding="same", activation="relu", name="stack0_enc0_conv0")(inp)
    x = layers.MaxPooling2D(2, padding="same", name="stack0_enc1_pool")(x)
    x = layers.Conv2D(2, 3, padding="same", activation="relu", name="stack0_enc1_conv0")(x)
    x = layers.MaxPooling2D(2, padding="same", name="stack0_enc2_pool")(x)
    x = layers.UpSampling2D(2, interpolation="bilinear", name="stack0_dec0_s4_to_s2")(x)
    x = layers.Conv2D(2, 3, padding="same", activation="relu", name="stack0_dec0_conv0")(x)
    x = layers.UpSampling2D(2, interpolation="bilinear", name="stack0_dec1_s2_to_s1")(x)
    out = layers.Conv2D(2, 1, padding="same", name="SingleInstanceConfmapsHead_0")(x)
    model = keras.Model(inp, out, name="LEAP")

    mean = np.full((3, 3, 1, 2), 1.0 / 9.0, np.float32)
    ident = np.zeros((3, 3, 2, 2), np.float32)
    ident[1, 1, 0, 0] = ident[1, 1, 1, 1] = 1.0
    model.get_layer("stack0_enc0_conv0").set_weights([mean, np.zeros(2, np.float32)])
    for name in ("stack0_enc1_conv0", "stack0_dec0_conv0"):
        model.get_layer(name).set_weights([ident, np.zeros(2, np.float32)])
    head = np.zeros((1, 1, 2, 2), np.float32)
    head[0, 0, 0, 0] = 1.0
    head[0, 0, 1, 1] = -1.0
    model.get_layer("SingleInstanceConfmapsHead_0").set_weights(
        [head, np.array([0.0, 1.0], np.float32)]
    )
    model.save(str(folder / "best_model.h5"))
    block = {"max_stride": 4, "output_stride": 1, "filters": 2, "filters_rate": 1.0,
             "up_interpolate": True, "stacks": 1}
    cfg = training_config("leap", block, input_scaling=input_scaling)
    (folder / "training_config.json").write_text(json.dumps(cfg, indent=1))
    return folder


def lambda_model(path: Path, marker: Path) -> Path:
    """A Keras ``.h5`` whose ``Lambda`` layer creates ``marker`` whenever it is called."""
    from pose_adapters.keras.runtime import import_tf_keras

    _, keras = import_tf_keras()
    inp = keras.Input((None, None, 1), name="input")
    x = keras.layers.Lambda(
        lambda t, p=str(marker): (open(p, "w").close(), t)[1], name="payload"
    )(inp)
    out = keras.layers.Conv2D(1, 1, name="SingleInstanceConfmapsHead_0")(x)
    keras.Model(inp, out).save(str(path))
    return path
