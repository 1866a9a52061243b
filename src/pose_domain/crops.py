"""Centered square crops: the top-down pipeline's bounding-box and pixel-extraction rules.

sleap-nn 0.3.5 conventions, reproduced for parity (ADR-0020):

* the box around a centre ``c`` has the float top-left ``tl = c - S/2 + 0.5``;
* pixels are copied (nearest pixel, no interpolation) from the integer origin
  ``o = trunc(tl + S//2) - S//2`` (``floor(tl)`` when ``tl >= 0``), zeros outside the frame;
* the offset added back to crop-local keypoints is the float ``tl``, not ``o``, which biases
  keypoints by ``frac(tl)`` px (exactly +0.5 for integer centres and even ``S``).
"""

from __future__ import annotations

import numpy as np


def centered_bbox_tl(centers: np.ndarray, crop_size: int) -> np.ndarray:
    """Float top-left corners of ``crop_size`` squares centred on ``centers``.

    Args:
        centers: ``(n, 2)`` float ``(x, y)`` centres in pixels (NaN allowed, stays NaN).
        crop_size: Square side ``S`` in pixels.

    Returns:
        ``(n, 2)`` float64 ``tl = c - S/2 + 0.5`` — the offset to add back to crop-local
        keypoints.
    """
    c = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
    return c - crop_size / 2 + 0.5


def crop_origins(tl: np.ndarray, crop_size: int) -> np.ndarray:
    """Integer pixel origins the crops are copied from.

    Args:
        tl: ``(n, 2)`` float top-left corners from :func:`centered_bbox_tl` (finite).
        crop_size: Square side ``S``.

    Returns:
        ``(n, 2)`` int64 ``(x0, y0)`` = ``trunc(tl + S//2) - S//2`` (truncation toward zero).
    """
    half = int(crop_size) // 2
    t = np.asarray(tl, dtype=np.float64).reshape(-1, 2)
    return np.trunc(t + half).astype(np.int64) - half


def crop_patches(image: np.ndarray, tl: np.ndarray, crop_size: int) -> np.ndarray:
    """Copy ``crop_size`` squares out of one frame (nearest pixel, zero padding).

    Args:
        image: ``(H, W, C)`` frame (uint8 in the pipeline; any dtype is kept).
        tl: ``(n, 2)`` float top-left corners from :func:`centered_bbox_tl` (finite).
        crop_size: Square side ``S``.

    Returns:
        ``(n, S, S, C)`` crops of ``image``'s dtype; row ``i`` of crop ``j`` is image row
        ``o_j.y + i`` (see :func:`crop_origins`); pixels outside the frame are 0.
    """
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    h, w, ch = img.shape
    s = int(crop_size)
    origins = crop_origins(tl, s)
    n = len(origins)
    out = np.zeros((n, s, s, ch), dtype=img.dtype)
    for j in range(n):
        x0, y0 = int(origins[j, 0]), int(origins[j, 1])
        xa, xb = max(x0, 0), min(x0 + s, w)
        ya, yb = max(y0, 0), min(y0 + s, h)
        if xa < xb and ya < yb:
            out[j, ya - y0 : yb - y0, xa - x0 : xb - x0] = img[ya:yb, xa:xb]
    return out
