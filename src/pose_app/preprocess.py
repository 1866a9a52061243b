"""Whole-frame preprocessing as the reference's ``track`` does it (parity notes §3.2, its order):

1. sizematcher (resize keeping aspect ratio + zero-pad bottom/right to ``max_height×max_width``),
2. channel coercion (``ensure_rgb`` / ``ensure_grayscale``),
3. input scaling,
4. zero-padding bottom/right to a multiple of the network's ``max_stride``.

Images stay uint8 throughout; the resize itself is delegated to an :class:`ImageResizer` so the
antialiased bilinear kernel matches the reference bit for bit.
"""

from __future__ import annotations

import attrs
import numpy as np

from pose_app.ports.runtime import ImageResizer


@attrs.frozen
class Sizing:
    """Resolved whole-frame preprocessing for one pipeline stage."""

    max_height: int | None = None
    max_width: int | None = None
    ensure_rgb: bool = False
    ensure_grayscale: bool = False


def sizematch_target(height: int, width: int, max_h: int | None, max_w: int | None
                     ) -> tuple[int, int, int, int, float]:
    """Target resize ``(th, tw)``, padded size ``(ph, pw)`` and the effective scale.

    Python's banker's ``round`` is used, as in the reference.
    """
    mh = max_h if max_h is not None else height
    mw = max_w if max_w is not None else width
    if (height, width) == (mh, mw):
        return height, width, mh, mw, 1.0
    hr = mh / height
    wr = mw / width
    eff = wr if hr > wr else hr
    th, tw = round(height * eff), round(width * eff)
    return th, tw, mh, mw, float(eff)


def resize_note(height: int, width: int, sizing: Sizing) -> str | None:
    """One line when the model's ``max_height``/``max_width`` make the sizematcher resize
    frames of ``height×width`` (None when frames only get padded or keep their size)."""
    if not height or not width or (sizing.max_height is None and sizing.max_width is None):
        return None
    th, tw, _, _, eff = sizematch_target(height, width, sizing.max_height, sizing.max_width)
    if (th, tw) == (height, width):
        return None
    limits = " × ".join(f"{k} {v}" for k, v in (("max_height", sizing.max_height),
                                                  ("max_width", sizing.max_width)) if v)
    return (f"frames of {width}×{height} are resized to {tw}×{th} (×{eff:.3g}) to fit the "
            f"model's {limits}; set --max_height/--max_width to change it "
            f"(e.g. --max_height {height} --max_width {width} keeps full resolution)")


def sizematch(images: np.ndarray, sizing: Sizing, resizer: ImageResizer
              ) -> tuple[np.ndarray, float]:
    """Apply the sizematcher to a ``(B, H, W, C)`` uint8 batch of same-sized frames."""
    if sizing.max_height is None and sizing.max_width is None:
        return images, 1.0
    _, h, w, c = images.shape
    th, tw, mh, mw, eff = sizematch_target(h, w, sizing.max_height, sizing.max_width)
    if eff == 1.0 and (th, tw) == (h, w) == (mh, mw):
        return images, 1.0
    resized = resizer.resize(images, th, tw) if (th, tw) != (h, w) else images
    if (th, tw) != (mh, mw):
        out = np.zeros((images.shape[0], mh, mw, c), dtype=np.uint8)
        out[:, : min(th, mh), : min(tw, mw)] = resized[:, :mh, :mw]
        resized = out
    return resized, eff


def to_grayscale(images: np.ndarray) -> np.ndarray:
    """``(…, 3)`` uint8 → ``(…, 1)`` uint8: ``trunc(0.2989 R + 0.587 G + 0.114 B)`` in float32."""
    f = images.astype(np.float32)
    gray = f[..., 0] * np.float32(0.2989)
    gray = gray + f[..., 1] * np.float32(0.587)
    gray = gray + f[..., 2] * np.float32(0.114)
    return np.clip(gray, 0, 255).astype(np.uint8)[..., None]


def coerce_channels(images: np.ndarray, sizing: Sizing) -> np.ndarray:
    """``ensure_rgb``: repeat a single channel ×3; ``ensure_grayscale``: luminance."""
    c = images.shape[-1]
    if sizing.ensure_rgb and c != 3:
        return np.repeat(images[..., :1], 3, axis=-1)
    if sizing.ensure_grayscale and c != 1:
        return to_grayscale(images)
    return images


def scale_images(images: np.ndarray, scale: float, resizer: ImageResizer) -> np.ndarray:
    """Resize ``(B, H, W, C)`` by ``scale`` to ``(int(H·s), int(W·s))`` (truncation)."""
    if scale == 1.0:
        return images
    _, h, w, _ = images.shape
    return resizer.resize(images, int(h * scale), int(w * scale))


def pad_to_stride(images: np.ndarray, stride: int) -> np.ndarray:
    """Zero-pad ``(B, H, W, C)`` on the bottom/right to multiples of ``stride``."""
    _, h, w, _ = images.shape
    ph = (stride - h % stride) % stride
    pw = (stride - w % stride) % stride
    if ph == 0 and pw == 0:
        return images
    return np.pad(images, ((0, 0), (0, ph), (0, pw), (0, 0)))


def to_nchw(images: np.ndarray) -> np.ndarray:
    """``(B, H, W, C)`` → contiguous ``(B, C, H, W)``."""
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2))
