"""Pyramidal Lucas-Kanade optical flow (OpenCV), with the reference's image handling."""

from __future__ import annotations

from typing import Any

import numpy as np

from pose_domain.defaults import (
    DEFAULT_OF_IMG_SCALE,
    DEFAULT_OF_MAX_LEVELS,
    DEFAULT_OF_WINDOW_SIZE,
)


class LucasKanadeFlow:
    """:class:`pose_app.ports.flow.OpticalFlow` via ``cv2.calcOpticalFlowPyrLK``.

    Images are prepared as sleap-nn's ``FlowShiftTracker`` does (ADR-0034): float images cast to
    uint8, extra leading axes squeezed, BGR->gray only for channel-first 3-channel arrays, then
    resized by ``img_scale``. Points are scaled, tracked with ``winSize=(window_size,)*2``,
    ``maxLevel=max_levels`` and criteria (EPS|COUNT, 30, 0.01), scaled back; points whose
    status is 0 become NaN.
    """

    def __init__(self, img_scale: float = DEFAULT_OF_IMG_SCALE,
                 window_size: int = DEFAULT_OF_WINDOW_SIZE,
                 max_levels: int = DEFAULT_OF_MAX_LEVELS):
        self.img_scale = float(img_scale)
        self.window_size = int(window_size)
        self.max_levels = int(max_levels)
        self._cache: tuple[Any, Any] | None = None
        self._cache2: tuple[Any, Any] | None = None

    def _prepare(self, img: Any) -> Any:
        import cv2

        arr = np.asarray(img)
        if np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.uint8)
        if arr.ndim > 3:
            arr = np.squeeze(arr)
        if arr.shape[0] == 3:
            arr = cv2.cvtColor(arr, cv2.COLOR_BGR2GRAY)
        if self.img_scale != 1.0:
            arr = cv2.resize(arr, None, None, self.img_scale, self.img_scale)
        return arr

    def _prepared(self, img: Any) -> Any:
        # The same frame is the "new" image for every candidate of a frame, then a reference
        # image for the next frames: remember the last two prepared images.
        for slot in (self._cache, self._cache2):
            if slot is not None and slot[0] is img:
                return slot[1]
        prepared = self._prepare(img)
        self._cache2 = self._cache
        self._cache = (img, prepared)
        return prepared

    def shift(self, ref_image: Any, new_image: Any, points: np.ndarray) -> np.ndarray:
        import cv2

        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if len(pts) == 0:
            return pts.copy()
        ref = self._prepared(ref_image)
        new = self._prepared(new_image)
        lk: Any = cv2.calcOpticalFlowPyrLK
        moved, status, _ = lk(
            ref,
            new,
            (pts * self.img_scale).astype(np.float32),
            None,
            winSize=(self.window_size, self.window_size),
            maxLevel=self.max_levels,
            criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01),
        )
        out = moved.astype(np.float64).reshape(-1, 2) / self.img_scale
        out[status.reshape(-1) == 0] = np.nan
        return out
