"""Optical flow: moves keypoints from one frame into another (``--use_flow``)."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np


class OpticalFlow(Protocol):
    """Sparse optical flow (pyramidal Lucas-Kanade in ``pose_adapters.flow``).

    Structurally the same as :class:`pose_domain.tracking.PointFlow`, so an implementation
    can be handed to the domain tracker directly.
    """

    def shift(self, ref_image: Any, new_image: Any, points: np.ndarray) -> np.ndarray:
        """Move ``points`` ``(k, 2)`` float64 ``(x, y)`` from ``ref_image`` to ``new_image``.

        Images are frames as decoded (``(H, W, C)`` uint8). Returns ``(k, 2)`` float64 with
        NaN for points that were lost (or were NaN).
        """
        ...
