"""Fake network runtime and image resizer (ports: ``NetworkRuntime``, ``ImageResizer``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from pose_app.model import ModelSpec
from pose_app.network_outputs import NetworkOutputs

if TYPE_CHECKING:
    from pose_app.ports.runtime import ImageResizer, NetworkRuntime


def gaussian_maps(h: int, w: int, centers: Sequence[tuple[float, float]], sigma: float = 1.5
                  ) -> np.ndarray:
    """``(len(centers), h, w)`` float32 maps, one Gaussian blob per channel (NaN → empty)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    maps = np.zeros((len(centers), h, w), np.float32)
    for c, (x, y) in enumerate(centers):
        if np.isnan(x):
            continue
        maps[c] = np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma**2))
    return maps


class FakeRuntime:
    """A 'network' whose confidence maps put node k of frame f at ``positions(f)[k]``.

    The frame index is read back from the pixel value the fake source wrote. ``infer`` maps
    ``(B, C, H, W)`` uint8 to ``confmaps (B, n_nodes, H // s, W // s)`` float32 with
    ``s = spec.confmap_stride``, like a single-instance network.
    """

    name = "fake"

    def __init__(self, spec: ModelSpec,
                 positions: Callable[[int], Sequence[tuple[float, float]]]) -> None:
        self.spec = spec
        self.positions = positions
        self.calls = 0

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        self.calls += 1
        b, _, h, w = images.shape
        s = self.spec.confmap_stride
        out = np.zeros((b, self.spec.skeleton.n_nodes, h // s, w // s), np.float32)
        for i in range(b):
            centers = [(x / s, y / s) for x, y in self.positions(int(images[i, 0, 0, 0]))]
            out[i] = gaussian_maps(h // s, w // s, centers)
        return NetworkOutputs(confmaps=out)


class NearestResizer:
    """Nearest-neighbour resize (the real one is antialiased bilinear)."""

    def resize(self, images: np.ndarray, height: int, width: int) -> np.ndarray:
        """``(B, H, W, C)`` uint8 -> ``(B, height, width, C)`` uint8."""
        _, h, w, _ = images.shape
        ys = (np.arange(height) * h / height).astype(int)
        xs = (np.arange(width) * w / width).astype(int)
        return images[:, ys][:, :, xs]


if TYPE_CHECKING:
    from tests.fakes.models import single_instance_spec

    _runtime: NetworkRuntime = FakeRuntime(single_instance_spec(), lambda f: [])
    _resizer: ImageResizer = NearestResizer()
