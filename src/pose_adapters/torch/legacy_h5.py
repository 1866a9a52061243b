"""Load SLEAP ≤1.4 Keras ``best_model.h5`` UNet weights into the torch modules (parity notes §1.3).

The weights are read by :func:`pose_adapters.keras.weights.read_keras_weights` (h5py only; no
TensorFlow, no Keras config is executed — so ``Lambda`` layers cannot run code). Each Keras
weight maps to the first torch parameter whose name contains the Keras layer name (head
layers lose a ``_<digits>`` suffix), ends with the same kind (``kernel`` → ``weight``, else
``bias``) and has the same shape after conversion: 4-D kernels ``(kh, kw, a, b)`` →
``(b, a, kh, kw)`` (conv and transposed conv alike), 2-D dense kernels transposed. Unmatched
Keras weights (``OffsetRefinementHead``) are skipped with a log message; an unfilled torch
parameter is an error.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np

from pose_adapters.keras.weights import read_keras_weights
from pose_domain.errors import ModelLoadError

log = logging.getLogger(__name__)

_HEAD_SUFFIX = re.compile(r"^(.*Head)_\d+$")


def _convert(kind: str, arr: np.ndarray) -> np.ndarray:
    if kind == "kernel" and arr.ndim == 4:
        return np.ascontiguousarray(arr.transpose(3, 2, 0, 1))
    if kind == "kernel" and arr.ndim == 2:
        return np.ascontiguousarray(arr.T)
    return arr


def load_legacy_weights(module: Any, path: str | Path) -> None:
    """Copy Keras weights from ``path`` into ``module`` (a :class:`PoseNetwork`) in place.

    Raises:
        ModelLoadError: The file is unreadable or a torch parameter gets no weight.
    """
    import torch

    params = dict(module.state_dict())
    filled: dict[str, torch.Tensor] = {}
    for layer, kind, arr in read_keras_weights(path):
        m = _HEAD_SUFFIX.match(layer)
        key_layer = m.group(1) if m else layer
        suffix = ".weight" if kind == "kernel" else ".bias"
        value = _convert(kind, arr)
        target = next(
            (
                name
                for name, t in params.items()
                if key_layer in name
                and name.endswith(suffix)
                and name not in filled
                and tuple(t.shape) == value.shape
            ),
            None,
        )
        if target is None:
            log.info("legacy model %s: skipping Keras weight %s/%s", path, layer, kind)
            continue
        filled[target] = torch.from_numpy(value.copy())
    missing = [k for k in params if k not in filled]
    if missing:
        raise ModelLoadError(
            f"legacy model '{path}' lacks weights for {len(missing)} layer(s) "
            f"(e.g. {missing[0]}) of the network built from training_config.json",
            hint="the .h5 and training_config.json must come from the same SLEAP run",
        )
    module.load_state_dict(filled, strict=True)
