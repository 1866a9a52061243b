"""Antialiased bilinear resize of uint8 images, bit-identical to torchvision's.

torchvision ``transforms.v2.functional.resize(uint8, size, antialias=True)`` calls
``torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=True)``
directly on the uint8 tensor on CPU (native uint8 kernel). We call the same kernel, so the
reference's sizematcher and input scaling are reproduced without torchvision (ADR 0013).
"""

from __future__ import annotations

import numpy as np

from pose_domain.errors import InvalidOptionError


class TorchResizer:
    """``ImageResizer`` port on torch's CPU uint8 antialiased bilinear kernel."""

    name = "torch"

    def resize(self, images: np.ndarray, height: int, width: int) -> np.ndarray:
        """Resize a batch.

        Args:
            images: ``(B, H, W, C)`` uint8.
            height: Output height in pixels (≥ 1).
            width: Output width in pixels (≥ 1).

        Returns:
            ``(B, height, width, C)`` uint8 (the input itself when the size is unchanged).
        """
        import torch
        import torch.nn.functional as F

        if images.ndim != 4 or images.dtype != np.uint8:
            raise InvalidOptionError(
                f"resize expects a (B, H, W, C) uint8 batch, got {images.dtype} {images.shape}"
            )
        if height < 1 or width < 1:
            raise InvalidOptionError(f"cannot resize to {height}x{width}", hint="use sizes ≥ 1")
        if (images.shape[1], images.shape[2]) == (height, width):
            return images
        if images.shape[0] == 0:
            return np.zeros((0, height, width, images.shape[3]), np.uint8)
        x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
        with torch.inference_mode():
            y = F.interpolate(
                x, size=[height, width], mode="bilinear", align_corners=False, antialias=True
            )
        return np.ascontiguousarray(y.permute(0, 2, 3, 1).numpy())
