"""The weights in a SLEAP ≤1.4 Keras ``best_model.h5``, read with h5py (no TensorFlow).

Only datasets under ``model_weights/`` are read; no Keras config is executed, so ``Lambda``
layers cannot run code. The config reader takes a UNet's input channels from here and the torch
adapter copies the weights into its rebuilt network (:mod:`pose_adapters.torch.legacy_h5`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pose_domain.errors import ModelLoadError

#: SLEAP 1.x weight files, preferred first (a run may keep only ``final_model.h5``).
WEIGHT_NAMES = ("best_model.h5", "final_model.h5")


def keras_weights_path(folder: Path) -> Path:
    """``best_model.h5``, else ``final_model.h5`` (``best_model.h5`` when neither exists, for
    the error message)."""
    for name in WEIGHT_NAMES:
        if (folder / name).is_file():
            return folder / name
    return folder / WEIGHT_NAMES[0]


def _open(path: Path) -> Any:
    import h5py

    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"'{path}' is not a readable HDF5 model file ({exc})",
            hint="re-copy best_model.h5 from the SLEAP training run",
        ) from exc


def read_keras_weights(path: str | Path) -> list[tuple[str, str, np.ndarray]]:
    """All weights under ``model_weights/`` as ``(layer, kind, array)`` in file order.

    ``kind`` is ``kernel`` or ``bias``; arrays are float32 in Keras layout.

    Raises:
        ModelLoadError: The file is not HDF5, is corrupt or holds no weights.
    """
    import h5py

    p = Path(path)
    out: list[tuple[str, str, np.ndarray]] = []
    with _open(p) as f:
        root = f.get("model_weights", f)

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset) and "optimizer_weights" not in name:
                layer = name.split("/", 1)[0]
                leaf = name.rsplit("/", 1)[-1].split(":", 1)[0]
                out.append((layer, leaf, np.asarray(obj[()], dtype=np.float32)))

        try:
            root.visititems(visit)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(f"'{p}' is corrupt ({exc})", hint="re-copy best_model.h5") from exc
    if not out:
        raise ModelLoadError(f"'{p}' holds no model weights", hint="pass a SLEAP best_model.h5")
    return out


def read_in_channels(path: str | Path) -> int:
    """Input channels from the first stem/encoder conv kernel (axis 2), default 1."""
    for layer, kind, arr in read_keras_weights(path):
        if (
            kind == "kernel"
            and arr.ndim == 4
            and ("stem0_conv0" in layer or "stack0_enc0_conv0" in layer)
        ):
            return int(arr.shape[2])
    return 1
