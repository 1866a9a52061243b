"""Deterministic synthetic weights, shared by the tests and ``oracle_gen.py`` (numpy only).

A tensor's values depend only on its state-dict key and shape, so this repo's backbones and the
reference's can be given identical weights without shipping a checkpoint.
"""

from __future__ import annotations

import zlib

import numpy as np


def synthetic_tensor(key: str, shape: tuple[int, ...]) -> np.ndarray:
    """float32 array of ``shape``: uniform in ±1/sqrt(fan_in) (±0.5 for vectors), seeded by key.

    LayerNorm/``layer_scale`` style vectors get values around 1 so activations stay lively.
    """
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    if len(shape) <= 1 or key.endswith("layer_scale"):
        base = 1.0 if key.endswith(("norm.weight", "norm1.weight", "norm2.weight")) else 0.0
        return (base + rng.uniform(-0.5, 0.5, size=shape)).astype(np.float32)
    fan_in = int(np.prod(shape[1:]))
    bound = 1.0 / np.sqrt(max(fan_in, 1))
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


def synthetic_state(shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Synthetic values for every float entry of ``{key: shape}``."""
    return {k: synthetic_tensor(k, s) for k, s in shapes.items()}


def seeded_input(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """float32 image batch in [0, 1) of ``shape`` (N, C, H, W)."""
    return np.random.default_rng(seed).random(shape, dtype=np.float32)
