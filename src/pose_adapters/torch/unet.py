"""UNet backbone with the exact sleap-nn state-dict names (parity notes §2.2).

Keys look like ``encoders.0.encoder_stack.<i>.blocks.stack0_enc<i>_conv<j>.weight``,
``middle_blocks.<k>.blocks.stack0_enc<n>_middle_{expand,contract}_conv<j>.weight`` and
``decoders.0.decoder_stack.<b>.blocks.stack0_dec<b>_s<S>_to_s<S/2>_{trans_conv,refine_conv<j>}``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


def pool_same(x: torch.Tensor) -> torch.Tensor:
    """2×2 stride-2 max-pool with TF "same" padding: one zero row/column bottom/right if odd.

    Args:
        x: ``(B, C, H, W)`` float32.

    Returns:
        ``(B, C, ceil(H/2), ceil(W/2))``.
    """
    h, w = x.shape[-2], x.shape[-1]
    if h % 2 or w % 2:
        x = F.pad(x, (0, w % 2, 0, h % 2))
    return F.max_pool2d(x, kernel_size=2, stride=2)


class PoolSame(nn.Module):
    """Parameterless module wrapper of :func:`pool_same`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return pool_same(x)


class ConvBlock(nn.Module):
    """Optional "same" max-pool, then ``n`` × [Conv2d k×k "same" → ReLU]; convs in ``blocks``."""

    def __init__(
        self, names: list[str], in_ch: int, out_ch: int, kernel_size: int, pool: bool
    ) -> None:
        super().__init__()
        self.pool = pool
        self.blocks = nn.ModuleDict()
        ch = in_ch
        for name in names:
            self.blocks[name] = nn.Conv2d(ch, out_ch, kernel_size, padding=kernel_size // 2)
            ch = out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pool:
            x = pool_same(x)
        for conv in self.blocks.values():
            x = F.relu(conv(x))
        return x


class Encoder(nn.Module):
    """``encoder_stack``: conv blocks then a lone pool; returns the output and skip features."""

    def __init__(self, stack: nn.ModuleList) -> None:
        super().__init__()
        self.encoder_stack = stack

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        skips: list[torch.Tensor] = []
        for block in self.encoder_stack:
            x = block(x)
            if isinstance(block, ConvBlock):
                skips.append(x)
        return x, skips


class DecoderBlock(nn.Module):
    """Upsample ×2 (bilinear or transposed conv), concat ``[skip, up]``, refine convs.

    ``keras_exact`` selects the transposed-conv alignment: ``False`` (default) is sleap-nn's
    ``ConvTranspose2d(padding=1, output_padding=1)``; ``True`` reproduces Keras
    ``Conv2DTranspose(padding="same", strides=2)`` exactly (``padding=0`` then keep the first
    ``2H × 2W``), see ADR 0011.
    """

    def __init__(
        self,
        prefix: str,
        in_ch: int,
        skip_ch: int | None,
        out_ch: int,
        kernel_size: int,
        convs: int,
        up_interpolate: bool,
    ) -> None:
        super().__init__()
        self.up_interpolate = up_interpolate
        self.keras_exact = False
        self.has_skip = skip_ch is not None
        self.blocks = nn.ModuleDict()
        if up_interpolate:
            up_ch = in_ch
        else:
            self.blocks[f"{prefix}_trans_conv"] = nn.ConvTranspose2d(
                in_ch, out_ch, 3, stride=2, padding=1, output_padding=1
            )
            up_ch = out_ch
        ch = up_ch + (skip_ch or 0)
        n_refine = convs if self.has_skip else 1
        for j in range(n_refine):
            self.blocks[f"{prefix}_refine_conv{j}"] = nn.Conv2d(
                ch, out_ch, kernel_size, padding=kernel_size // 2
            )
            ch = out_ch

    def _trans_conv(self, conv: nn.ConvTranspose2d, x: torch.Tensor) -> torch.Tensor:
        if not self.keras_exact:
            return conv(x)
        h, w = x.shape[-2], x.shape[-1]
        y = F.conv_transpose2d(x, conv.weight, conv.bias, stride=2, padding=0)
        return y[..., : 2 * h, : 2 * w]

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None) -> torch.Tensor:
        items = list(self.blocks.items())
        if self.up_interpolate:
            x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
        else:
            _, conv = items.pop(0)
            assert isinstance(conv, nn.ConvTranspose2d)
            x = F.relu(self._trans_conv(conv, x))
        if skip is not None and self.has_skip:
            if x.shape[-2:] != skip.shape[-2:]:
                x = F.interpolate(
                    x, size=tuple(skip.shape[-2:]), mode="bilinear", align_corners=False
                )
            x = torch.cat([skip, x], dim=1)
        for _, conv in items:
            x = F.relu(conv(x))
        return x


class Decoder(nn.Module):
    """``decoder_stack`` of :class:`DecoderBlock`; returns every block output (shallowest last)."""

    def __init__(self, stack: nn.ModuleList) -> None:
        super().__init__()
        self.decoder_stack = stack

    def forward(self, x: torch.Tensor, skips: list[torch.Tensor]) -> list[torch.Tensor]:
        outs: list[torch.Tensor] = []
        deepest_first = skips[::-1]
        for b, block in enumerate(self.decoder_stack):
            x = block(x, deepest_first[b] if b < len(deepest_first) else None)
            outs.append(x)
        return outs


class UNet(nn.Module):
    """sleap-nn UNet backbone (parity notes §2.2).

    ``forward(x)`` takes ``(B, in_channels, H, W)`` float32 and returns
    ``dict(outputs=list[Tensor], strides=list[int], middle=Tensor)``: decoder outputs from the
    deepest (stride ``max_stride/2``) to the shallowest (``output_stride``), their strides,
    and the middle-block output (stride ``max_stride``).

    Attributes:
        stride_to_filters: Channels of the feature map at each stride (decoder outputs and
            ``max_stride`` for the middle block).
    """

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__()
        in_ch = int(cfg.get("in_channels", 1))
        k = int(cfg.get("kernel_size", 3))
        filters = int(cfg.get("filters", 32))
        rate = float(cfg.get("filters_rate", 1.5))
        max_stride = int(cfg.get("max_stride", 16))
        output_stride = int(cfg.get("output_stride", 1))
        stem_stride = cfg.get("stem_stride")
        convs = int(cfg.get("convs_per_block", 2))
        stacks = int(cfg.get("stacks", 1))
        up_interpolate = bool(cfg.get("up_interpolate", True))
        middle = bool(cfg.get("middle_block", True))

        stem_blocks = round(math.log2(int(stem_stride))) if stem_stride else 0
        down_blocks = round(math.log2(max_stride)) - stem_blocks
        up_blocks = round(math.log2(max_stride / output_stride)) + stem_blocks
        self.max_stride = max_stride

        def filt(e: int) -> int:
            return int(filters * rate**e)

        self.encoders = nn.ModuleList()
        self.decoders = nn.ModuleList()
        self.middle_blocks = nn.ModuleList()
        self.stride_to_filters: dict[int, int] = {}
        for s in range(stacks):
            enc = nn.ModuleList()
            ch = in_ch
            skip_channels: list[int] = []
            for i in range(down_blocks):
                out = filt(i + stem_blocks)
                names = [f"stack{s}_enc{i}_conv{j}" for j in range(convs)]
                enc.append(ConvBlock(names, ch, out, k, pool=(i + stem_blocks) > 0))
                ch = out
                skip_channels.append(ch)
            enc.append(PoolSame())
            self.encoders.append(Encoder(enc))

            mids = nn.ModuleList()
            if middle:
                mid_ch = filt(down_blocks + stem_blocks)
                idx = down_blocks + 1
                if convs > 1:
                    names = [f"stack{s}_enc{idx}_middle_expand_conv{j}" for j in range(convs - 1)]
                    mids.append(ConvBlock(names, ch, mid_ch, k, pool=False))
                    ch = mid_ch
                    idx += 1
                names = [f"stack{s}_enc{idx}_middle_contract_conv0"]
                mids.append(ConvBlock(names, ch, mid_ch, k, pool=False))
                ch = mid_ch
            self.middle_blocks = mids  # only the last stack's (parity notes §9.1)
            self.stride_to_filters[max_stride] = ch

            dec = nn.ModuleList()
            stride = max_stride
            skips_deep_first = skip_channels[::-1]
            for b in range(up_blocks):
                out = filt(max(0, down_blocks + stem_blocks - 1 - b))
                prefix = f"stack{s}_dec{b}_s{stride}_to_s{stride // 2}"
                skip = skips_deep_first[b] if b < len(skips_deep_first) else None
                dec.append(DecoderBlock(prefix, ch, skip, out, k, convs, up_interpolate))
                ch = out
                stride //= 2
                self.stride_to_filters[stride] = out
            self.decoders.append(Decoder(dec))
            ch = in_ch if s + 1 < stacks else ch

    def set_keras_exact_transpose(self, exact: bool) -> None:
        """Switch transposed-conv alignment (see :class:`DecoderBlock`)."""
        for m in self.modules():
            if isinstance(m, DecoderBlock):
                m.keras_exact = exact

    def forward(self, x: torch.Tensor) -> dict[str, Any]:
        outputs: list[torch.Tensor] = []
        strides: list[int] = []
        middle = x
        for enc, dec in zip(self.encoders, self.decoders):
            x, skips = enc(x)
            for block in self.middle_blocks:
                x = block(x)
            middle = x
            outputs = dec(x, skips)
            x = outputs[-1] if outputs else x
        stride = self.max_stride
        for _ in outputs:
            stride //= 2
            strides.append(stride)
        return {"outputs": outputs, "strides": strides, "middle": middle}
