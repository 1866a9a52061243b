"""Fake optical flow (port: ``OpticalFlow``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from pose_app.ports.flow import OpticalFlow


class StillFlow:
    """Flow of a scene where nothing moves: every point stays where it was (NaN stays NaN).

    ``shift`` logs its calls in ``calls`` as ``(ref_image, new_image)``.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []

    def shift(self, ref_image: Any, new_image: Any, points: np.ndarray) -> np.ndarray:
        """``(k, 2)`` float64 copy of ``points``."""
        self.calls.append((ref_image, new_image))
        return np.asarray(points, dtype=np.float64).reshape(-1, 2).copy()


if TYPE_CHECKING:
    _flow: OpticalFlow = StillFlow()
