"""ConvNeXt backbone with sleap-nn 0.3.5's exact state-dict names (no torchvision needed).

Keys (after stripping ``model.backbone.``): ``enc.features.*`` (stem, CNBlock stages,
downsampling layers, torchvision ConvNeXt layout), ``middle_blocks.*`` and ``dec.*``
(see :mod:`pose_adapters.torch._decoder`). See ADR-0015.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pose_adapters.model_config.defaults import CONVNEXT_DEFAULTS
from pose_adapters.torch._decoder import EncoderDecoderBackbone
from pose_domain.errors import ModelLoadError

__all__ = [
    "CONVNEXT_PRESETS",
    "CNBlock",
    "ConvNextBackbone",
    "ConvNextEncoder",
    "LayerNorm2d",
    "Permute",
    "resolve_convnext_config",
]

#: model_type → (depths, channels); a preset wins over ``arch``.
CONVNEXT_PRESETS: dict[str, tuple[list[int], list[int]]] = {
    "tiny": ([3, 3, 9, 3], [96, 192, 384, 768]),
    "small": ([3, 3, 27, 3], [96, 192, 384, 768]),
    "base": ([3, 3, 27, 3], [128, 256, 512, 1024]),
    "large": ([3, 3, 27, 3], [192, 384, 768, 1536]),
}

_DEFAULTS = CONVNEXT_DEFAULTS  # one source of truth, shared with the config reader


class Permute(nn.Module):
    """Parameter-free ``torch.permute`` (keeps the reference's Sequential indices)."""

    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Permute the axes of ``x``."""
        return torch.permute(x, self.dims)


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channel axis of an NCHW tensor (normalises each pixel's C values)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (N, C, H, W) float → same shape."""
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    """ConvNeXt block: ``x + layer_scale · MLP(LN(dwconv7×7(x)))`` (stochastic depth is a no-op).

    Attributes:
        layer_scale: (C, 1, 1) parameter.
        block: Sequential ``0`` depthwise conv, ``1`` permute→NHWC, ``2`` LayerNorm(eps 1e-6),
            ``3`` Linear(C, 4C), ``4`` GELU, ``5`` Linear(4C, C), ``6`` permute→NCHW.
    """

    def __init__(self, dim: int, layer_scale: float = 1e-6) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            nn.LayerNorm(dim, eps=1e-6),
            nn.Linear(dim, 4 * dim, bias=True),
            nn.GELU(),
            nn.Linear(4 * dim, dim, bias=True),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(torch.full((dim, 1, 1), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (N, C, H, W) → same shape."""
        return x + self.layer_scale * self.block(x)


class ConvNextEncoder(nn.Module):
    """torchvision-layout ConvNeXt feature extractor (``features.0`` … ``features.7``).

    Attributes:
        features: Sequential: ``0`` stem (conv k=stem kernel, stride=stem stride, padding 1;
            LayerNorm2d), odd indices are CNBlock stages, ``2, 4, 6`` are downsampling
            (LayerNorm2d then Conv2d k=2 s=2).
    """

    def __init__(
        self,
        in_channels: int,
        depths: list[int],
        channels: list[int],
        stem_kernel: int,
        stem_stride: int,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.Sequential(
                nn.Conv2d(
                    in_channels, channels[0], stem_kernel, stride=stem_stride, padding=1, bias=True
                ),
                LayerNorm2d(channels[0], eps=1e-6),
            )
        ]
        for i, (depth, ch) in enumerate(zip(depths, channels)):
            layers.append(nn.Sequential(*[CNBlock(ch) for _ in range(depth)]))
            if i + 1 < len(channels):
                layers.append(
                    nn.Sequential(
                        LayerNorm2d(ch, eps=1e-6),
                        nn.Conv2d(ch, channels[i + 1], kernel_size=2, stride=2, bias=True),
                    )
                )
        self.features = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Run the stages.

        Args:
            x: (N, C_in, H, W) float32.

        Returns:
            ``(last, skips)``: the last stage's output and the stem/downsampling outputs
            (``features.0, 2, 4, 6``, i.e. taken before each stage), shallowest first.
        """
        skips: list[torch.Tensor] = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i % 2 == 0:
                skips.append(x)
        return x, skips


def resolve_convnext_config(cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    """Fill defaults and resolve the architecture of a ``backbone_config.convnext`` dict.

    Returns:
        The config with every key set, plus ``depths`` and ``channels`` (lists of 4 ints)
        and ``max_stride`` forced to ``stem_patch_stride · 16``.

    Raises:
        ModelLoadError: unknown ``model_type`` without an ``arch``, or a malformed ``arch``.
    """
    out = dict(_DEFAULTS)
    out.update({k: v for k, v in dict(cfg or {}).items() if v is not None})
    model_type = out.get("model_type")
    arch = out.get("arch")
    if isinstance(model_type, str) and model_type in CONVNEXT_PRESETS:
        depths, channels = CONVNEXT_PRESETS[model_type]
    elif isinstance(arch, Mapping) and "depths" in arch and "channels" in arch:
        depths, channels = list(arch["depths"]), list(arch["channels"])
    else:
        raise ModelLoadError(
            f"ConvNeXt config has model_type {model_type!r} and no usable arch; set model_type "
            f"to one of {sorted(CONVNEXT_PRESETS)} or arch to {{depths: [...], channels: [...]}}"
        )
    if len(depths) != 4 or len(channels) != 4:
        raise ModelLoadError(
            f"ConvNeXt arch needs 4 depths and 4 channels, got {depths} and {channels}; "
            "fix backbone_config.convnext.arch in training_config.yaml"
        )
    out["depths"] = [int(d) for d in depths]
    out["channels"] = [int(c) for c in channels]
    out["stem_patch_stride"] = int(out["stem_patch_stride"])
    out["max_stride"] = out["stem_patch_stride"] * 16
    out["filters_rate"] = float(out["filters_rate"])
    _check_strides(out, "convnext")
    return out


def _check_strides(cfg: dict[str, Any], name: str) -> None:
    os_ = int(cfg["output_stride"])
    if os_ < 1 or os_ > cfg["max_stride"] or not math.log2(os_).is_integer():
        raise ModelLoadError(
            f"{name} output_stride {os_} must be a power of two ≤ {cfg['max_stride']}; "
            f"fix backbone_config.{name}.output_stride"
        )
    if int(cfg["convs_per_block"]) < 1:
        raise ModelLoadError(
            f"{name} convs_per_block must be ≥ 1; fix backbone_config.{name}.convs_per_block"
        )


class ConvNextBackbone(EncoderDecoderBackbone):
    """sleap-nn's ``ConvNextWrapper``: ConvNeXt encoder → "same" max-pool → middle → decoder.

    Attributes:
        enc: :class:`ConvNextEncoder`.
        middle_blocks: ModuleList (``convnext_middle_expand``/``convnext_middle_contract``).
        dec: :class:`pose_adapters.torch._decoder.Decoder`.
        max_stride: stride of the middle-block output (``stem_patch_stride · 16``).
        stride_to_filters: channels available at each stride (middle output and every
            decoder output): the heads' input channels.
    """

    def __init__(self, cfg: Mapping[str, Any] | None = None) -> None:
        """Build from a ``model_config.backbone_config.convnext`` dict (missing keys default)."""
        super().__init__()
        c = resolve_convnext_config(cfg)
        self.config = c
        channels: list[int] = c["channels"]
        self.enc = ConvNextEncoder(
            int(c["in_channels"]),
            c["depths"],
            channels,
            int(c["stem_patch_kernel"]),
            c["stem_patch_stride"],
        )
        self._build_neck(c, channels, c0=channels[0])
