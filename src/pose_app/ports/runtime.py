"""The network runtime port: a trained network as a function of a uint8 image batch."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class NetworkRuntime(Protocol):
    """Runs one network.

    ``infer`` takes a uint8 batch ``(B, C, H, W)`` already at the network's input size (resized,
    padded to ``max_stride``) and returns float32 arrays keyed by ``pose_app.model`` output keys:
    ``confmaps (B, n_nodes, h, w)``, ``pafs (B, 2 * n_edges, h, w)``,
    ``class_maps (B, n_classes, h, w)``, ``class_vectors (B, n_classes)``. Normalisation
    (``/255``) and channel fixing happen inside.
    """

    name: str

    def infer(self, images: np.ndarray) -> dict[str, np.ndarray]: ...


class ImageResizer(Protocol):
    """Resizes uint8 images exactly as the reference does (bilinear, antialiased)."""

    def resize(self, images: np.ndarray, height: int, width: int) -> np.ndarray:
        """``images`` is ``(B, H, W, C)`` uint8; returns ``(B, height, width, C)`` uint8."""
        ...
