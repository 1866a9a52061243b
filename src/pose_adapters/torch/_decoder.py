"""Shared building blocks of the ConvNeXt/SwinT backbones: conv blocks, "same" max-pool, decoder.

The module and parameter names reproduce sleap-nn 0.3.5 checkpoints exactly, so a checkpoint's
``model.backbone.*`` tensors load with ``strict=True``:

* middle blocks: ``middle_blocks.<k>.blocks.<prefix>_conv<j>.{weight,bias}``;
* decoder: ``dec.decoder_stack.<b>.blocks.dec<b>_s<S>_to_s<S/2>_{trans_conv,refine_conv<j>}``.

Every tensor is float32 NCHW. Activations are ReLU; there are no norms in these blocks.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "ConvBlock",
    "Decoder",
    "UpsamplingBlock",
    "decoder_filters",
    "max_pool_same",
    "middle_blocks",
]


#: Refine convs per decoder block with a skip (fixed in the reference, see ``Decoder``).
_REFINE_CONVS = 2


def max_pool_same(x: torch.Tensor) -> torch.Tensor:
    """2×2 / stride-2 max-pool with TF-style "same" padding.

    An odd height (width) gets one row (column) of **zeros** at the bottom (right) before
    pooling, so negative activations next to that edge become 0, as in the reference.

    Args:
        x: float tensor (N, C, H, W).

    Returns:
        Tensor (N, C, ceil(H/2), ceil(W/2)).
    """
    h, w = x.shape[-2:]
    if h % 2 or w % 2:
        x = F.pad(x, (0, w % 2, 0, h % 2))
    return F.max_pool2d(x, kernel_size=2, stride=2)


class ConvBlock(nn.Module):
    """``n_convs`` × [Conv2d(k, stride 1, padding "same", bias) → ReLU] named ``<prefix>_conv<j>``.

    Attributes:
        blocks: ``nn.Sequential`` whose children are ``<prefix>_conv<j>`` and
            ``<prefix>_act<j>_relu`` (the latter have no parameters).
    """

    def __init__(
        self, prefix: str, in_channels: int, out_channels: int, n_convs: int, kernel_size: int
    ) -> None:
        super().__init__()
        self.blocks = nn.Sequential()
        ch = in_channels
        for j in range(n_convs):
            conv = nn.Conv2d(ch, out_channels, kernel_size, stride=1, padding="same", bias=True)
            self.blocks.add_module(f"{prefix}_conv{j}", conv)
            self.blocks.add_module(f"{prefix}_act{j}_relu", nn.ReLU())
            ch = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the convs. ``x``: (N, C_in, H, W) → (N, C_out, H, W)."""
        return self.blocks(x)


def middle_blocks(
    in_channels: int, filters_rate: float, convs_per_block: int, kernel_size: int
) -> tuple[nn.ModuleList, int]:
    """The ConvNeXt/SwinT middle blocks (names ``convnext_middle_{expand,contract}_conv<j>``).

    An "expand" block of ``convs_per_block - 1`` convs (``in → int(in · rate)``) is present when
    ``convs_per_block > 1``; a "contract" block of one conv (``int(in · rate)`` channels) always.

    Args:
        in_channels: channels of the last encoder stage.
        filters_rate: channel growth factor.
        convs_per_block: convs per block in the backbone config.
        kernel_size: conv kernel size.

    Returns:
        ``(ModuleList, out_channels)``.
    """
    out = int(in_channels * filters_rate)
    blocks = nn.ModuleList()
    if convs_per_block > 1:
        blocks.append(
            ConvBlock("convnext_middle_expand", in_channels, out, convs_per_block - 1, kernel_size)
        )
        ch = out
    else:
        # The reference sizes the contract conv for the expanded width even without an expand
        # block (such a network cannot run); keep its shape so checkpoints' keys still match.
        ch = out
    blocks.append(ConvBlock("convnext_middle_contract", ch, out, 1, kernel_size))
    return blocks, out


def decoder_filters(c0: int, filters_rate: float, block: int) -> int:
    """Output channels of decoder block ``block``: ``int(c0 · rate^max(0, 3 - block))``."""
    return int(c0 * filters_rate ** max(0, 3 - block))


class UpsamplingBlock(nn.Module):
    """One decoder block: ×2 upsample, optional skip concat (skip first), refine convs.

    Attributes:
        blocks: ``nn.Sequential`` with (when ``up_interpolate`` is false) ``<p>_trans_conv``
            and ``<p>_trans_conv_act_relu``, then ``<p>_refine_conv<j>`` and
            ``<p>_refine_conv<j>_act_relu``.
    """

    def __init__(
        self,
        prefix: str,
        in_channels: int,
        skip_channels: int,
        out_channels: int,
        n_convs: int,
        kernel_size: int,
        up_interpolate: bool,
    ) -> None:
        super().__init__()
        self.up_interpolate = up_interpolate
        self.has_skip = skip_channels > 0
        self.blocks = nn.Sequential()
        # Child names only: assigning the modules to attributes would register them twice.
        self._trans_name: str | None = None
        if up_interpolate:
            up_ch = in_channels
        else:
            trans = nn.ConvTranspose2d(
                in_channels, out_channels, 3, stride=2, padding=1, output_padding=1, bias=True
            )
            self.blocks.add_module(f"{prefix}_trans_conv", trans)
            self.blocks.add_module(f"{prefix}_trans_conv_act_relu", nn.ReLU())
            self._trans_name = f"{prefix}_trans_conv"
            up_ch = out_channels
        self._refine_names: list[str] = []
        ch = up_ch + skip_channels
        for j in range(n_convs if self.has_skip else 1):
            conv = nn.Conv2d(ch, out_channels, kernel_size, stride=1, padding="same", bias=True)
            self.blocks.add_module(f"{prefix}_refine_conv{j}", conv)
            self.blocks.add_module(f"{prefix}_refine_conv{j}_act_relu", nn.ReLU())
            self._refine_names.append(f"{prefix}_refine_conv{j}")
            ch = out_channels

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None) -> torch.Tensor:
        """Upsample ``x`` (N, C, H, W) ×2, concat ``skip`` (N, Cs, Hs, Ws) if any, refine.

        The upsampled map is bilinearly resized (align_corners=False) to the skip's size when
        the two differ (odd sizes upstream).
        """
        if self._trans_name is None:
            x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
        else:
            x = F.relu(self.blocks.get_submodule(self._trans_name)(x))
        if self.has_skip and skip is not None:
            if x.shape[-2:] != skip.shape[-2:]:
                x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = torch.cat([skip, x], dim=1)
        for name in self._refine_names:
            x = F.relu(self.blocks.get_submodule(name)(x))
        return x


class Decoder(nn.Module):
    """ConvNeXt/SwinT decoder: ``decoder_stack.<b>`` from ``max_stride`` down to ``output_stride``.

    Attributes:
        decoder_stack: ``nn.ModuleList`` of :class:`UpsamplingBlock`.
        strides: output stride of each block (deepest first).
        filters: output channels of each block.
    """

    def __init__(
        self,
        in_channels: int,
        skip_channels: list[int],
        c0: int,
        filters_rate: float,
        max_stride: int,
        output_stride: int,
        convs_per_block: int,
        kernel_size: int,
        up_interpolate: bool,
    ) -> None:
        """Build the blocks.

        Args:
            in_channels: channels of the middle-block output (at ``max_stride``).
            skip_channels: channels of the skip features, deepest first.
            c0: channels of the first encoder stage.
            filters_rate: channel growth factor.
            max_stride: stride of the decoder input.
            output_stride: stride of the last decoder output.
            convs_per_block: accepted for symmetry with the config and ignored: the
                reference always builds 2 refine convs per block (1 without a skip),
                whatever ``convs_per_block`` says (only the middle blocks use it).
            kernel_size: refine conv kernel size.
            up_interpolate: bilinear upsampling if true, else a 3×3 transposed conv.
        """
        super().__init__()
        n_up = round(math.log2(max_stride / output_stride)) if output_stride < max_stride else 0
        self.decoder_stack = nn.ModuleList()
        self.strides: list[int] = []
        self.filters: list[int] = []
        ch = in_channels
        stride = max_stride
        for b in range(n_up):
            out = decoder_filters(c0, filters_rate, b)
            skip = skip_channels[b] if b < len(skip_channels) else 0
            prefix = f"dec{b}_s{stride}_to_s{stride // 2}"
            self.decoder_stack.append(
                UpsamplingBlock(prefix, ch, skip, out, _REFINE_CONVS, kernel_size, up_interpolate)
            )
            stride //= 2
            ch = out
            self.strides.append(stride)
            self.filters.append(out)

    def forward(self, x: torch.Tensor, skips: list[torch.Tensor]) -> list[torch.Tensor]:
        """Run every block; ``skips`` are deepest first. Returns each block's output in order."""
        outputs = []
        for b, block in enumerate(self.decoder_stack):
            x = block(x, skips[b] if b < len(skips) else None)
            outputs.append(x)
        return outputs


class EncoderDecoderBackbone(nn.Module):
    """Shared tail of sleap-nn's ConvNeXt and SwinT wrappers: encoder (set by the subclass as
    ``enc``) → "same" max-pool → middle blocks → decoder with skips deepest first."""

    enc: nn.Module

    def _build_neck(self, c: dict[str, Any], channels: list[int], c0: int) -> None:
        """Create ``middle_blocks`` and ``dec`` from a resolved config and the encoder's
        per-stage channels (shallow → deep)."""
        self.middle_blocks, mid = middle_blocks(
            channels[-1], c["filters_rate"], int(c["convs_per_block"]), int(c["kernel_size"])
        )
        self.max_stride: int = c["max_stride"]
        self.dec = Decoder(
            in_channels=mid,
            skip_channels=channels[::-1],
            c0=c0,
            filters_rate=c["filters_rate"],
            max_stride=self.max_stride,
            output_stride=int(c["output_stride"]),
            convs_per_block=int(c["convs_per_block"]),
            kernel_size=int(c["kernel_size"]),
            up_interpolate=bool(c["up_interpolate"]),
        )
        self.middle_filters = mid
        self.stride_to_filters: dict[int, int] = {self.max_stride: mid}
        self.stride_to_filters.update(zip(self.dec.strides, self.dec.filters))

    def forward(self, x: torch.Tensor) -> dict[str, Any]:
        """Run the backbone.

        Args:
            x: (N, in_channels, H, W) float32.

        Returns:
            ``{"outputs": decoder outputs (N, C_b, H_b, W_b) deepest first, "strides":
            list[int] of their strides, "middle": (N, C_mid, H/max_stride, W/max_stride)
            middle-block output}``.
        """
        last, skips = self.enc(x)
        m = max_pool_same(last)
        for block in self.middle_blocks:
            m = block(m)
        outputs = self.dec(m, skips[::-1])
        return {"outputs": outputs, "strides": list(self.dec.strides), "middle": m}
