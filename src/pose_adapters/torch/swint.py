"""Swin Transformer (v1) backbone with sleap-nn 0.3.5's exact state-dict names (no torchvision).

Keys (after stripping ``model.backbone.``): ``enc.features.*`` (patch embed, Swin blocks with
``attn.relative_position_bias_table`` and the ``attn.relative_position_index`` buffer, patch
merging), ``enc.norm``, ``middle_blocks.*`` and ``dec.*``. The attention follows torchvision's
v1 semantics: the map is zero-padded (bottom/right) to a multiple of the window, the shift is
dropped along an axis whose padded size fits in one window, shifted windows get a -100 mask
between regions, and padded tokens take part in attention unmasked. See ADR-0016.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pose_adapters.model_config.defaults import SWINT_DEFAULTS
from pose_adapters.torch._decoder import EncoderDecoderBackbone
from pose_adapters.torch.convnext import Permute, _check_strides
from pose_domain.errors import ModelLoadError

__all__ = [
    "SWINT_PRESETS",
    "PatchMerging",
    "ShiftedWindowAttention",
    "SwinTBackbone",
    "SwinTEncoder",
    "SwinTransformerBlock",
    "relative_position_index",
    "resolve_swint_config",
    "shift_mask",
]

#: model_type → (embed, depths, num_heads); a preset wins over ``arch``.
SWINT_PRESETS: dict[str, tuple[int, list[int], list[int]]] = {
    "tiny": (96, [2, 2, 6, 2], [3, 6, 12, 24]),
    "small": (96, [2, 2, 18, 2], [3, 6, 12, 24]),
    "base": (128, [2, 2, 18, 2], [4, 8, 16, 32]),
}

_DEFAULTS = SWINT_DEFAULTS  # one source of truth, shared with the config reader

_MASK_VALUE = -100.0


def relative_position_index(window: int) -> torch.Tensor:
    """Index into the (2w-1)² bias table for every (query, key) pair of a w×w window.

    Tokens are numbered row-major; for query ``(i1, j1)`` and key ``(i2, j2)`` the index is
    ``(i1 - i2 + w - 1) · (2w - 1) + (j1 - j2 + w - 1)``.

    Returns:
        int64 tensor (w⁴,), flattened from (w², w²) with the query as the row.
    """
    r = torch.arange(window)
    rows = r.repeat_interleave(window)  # (w²,) row of each token
    cols = r.repeat(window)  # (w²,) column of each token
    dr = rows[:, None] - rows[None, :] + window - 1
    dc = cols[:, None] - cols[None, :] + window - 1
    return (dr * (2 * window - 1) + dc).flatten()


@functools.lru_cache(maxsize=64)
def shift_mask(height: int, width: int, window: int, shift: tuple[int, int]) -> torch.Tensor:
    """Additive attention mask for shifted windows on a padded ``height × width`` map.

    After the cyclic roll by ``-shift``, the map splits into up to 3×3 regions along each axis
    (``[0, H-w)``, ``[H-w, H-s)``, ``[H-s, H)``); tokens of different regions in one window
    must not attend to each other.

    Args:
        height: padded height (a multiple of ``window``).
        width: padded width (a multiple of ``window``).
        window: window side.
        shift: ``(shift_h, shift_w)``; a zero entry means that axis is not shifted.

    Returns:
        float32 CPU tensor (n_windows, w², w²): 0 within a region, -100 across regions.
        Cached per arguments: callers must not modify it in place.
    """
    label = torch.zeros(height, width)

    def bounds(size: int, s: int) -> list[tuple[int, int]]:
        if s == 0:
            # Unshifted axis (its padded size is one window): a single region.
            return [(0, size)]
        return [(0, size - window), (size - window, size - s), (size - s, size)]

    count = 0
    for h0, h1 in bounds(height, shift[0]):
        for w0, w1 in bounds(width, shift[1]):
            label[h0:h1, w0:w1] = count
            count += 1
    lab = label.view(height // window, window, width // window, window)
    lab = lab.permute(0, 2, 1, 3).reshape(-1, window * window)
    diff = lab[:, None, :] - lab[:, :, None]
    return torch.where(diff != 0, torch.tensor(_MASK_VALUE), torch.tensor(0.0))


class ShiftedWindowAttention(nn.Module):
    """Window multi-head self-attention with relative position bias (Swin v1).

    Attributes:
        qkv: Linear(C, 3C).
        proj: Linear(C, C).
        relative_position_bias_table: ((2w-1)², heads) parameter.
        relative_position_index: (w⁴,) int64 buffer (persistent: it is in checkpoints).
    """

    relative_position_index: torch.Tensor

    def __init__(self, dim: int, window: int, shift: int, num_heads: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ModelLoadError(
                f"SwinT stage width {dim} is not divisible by its {num_heads} heads",
                hint="fix backbone_config.swint.arch (embed / num_heads)",
            )
        self.window = window
        self.shift = shift
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim, bias=True)
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * window - 1) ** 2, num_heads)
        )
        self.register_buffer("relative_position_index", relative_position_index(window))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (B, H, W, C) float → same shape."""
        b, h, w, c = x.shape
        ws = self.window
        pad_b = (ws - h % ws) % ws
        pad_r = (ws - w % ws) % ws
        x = F.pad(x, (0, 0, 0, pad_r, 0, pad_b))
        ph, pw = h + pad_b, w + pad_r
        shift = (
            self.shift if ws < ph else 0,
            self.shift if ws < pw else 0,
        )
        shifted = shift != (0, 0)
        if shifted:
            x = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
        nh, nw = ph // ws, pw // ws
        n_win = nh * nw
        # (B, nh, ws, nw, ws, C) → (B·n_win, ws², C)
        tokens = x.view(b, nh, ws, nw, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, ws * ws, c)
        hd = c // self.num_heads
        qkv = self.qkv(tokens).reshape(tokens.shape[0], ws * ws, 3, self.num_heads, hd)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B·n_win, heads, ws², hd)
        attn = (q * hd**-0.5) @ k.transpose(-2, -1)
        idx = self.relative_position_index
        bias = self.relative_position_bias_table[idx].view(ws * ws, ws * ws, -1)
        attn = attn + bias.permute(2, 0, 1).unsqueeze(0)
        if shifted:
            mask = shift_mask(ph, pw, ws, shift).to(dtype=attn.dtype, device=attn.device)
            attn = attn.view(b, n_win, self.num_heads, ws * ws, ws * ws) + mask[None, :, None]
            attn = attn.view(-1, self.num_heads, ws * ws, ws * ws)
        attn = attn.softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(tokens.shape[0], ws * ws, c)
        out = self.proj(out)
        out = out.view(b, nh, nw, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b, ph, pw, c)
        if shifted:
            out = torch.roll(out, shifts=shift, dims=(1, 2))
        return out[:, :h, :w, :].contiguous()


class SwinTransformerBlock(nn.Module):
    """``x + attn(norm1(x))`` then ``x + mlp(norm2(x))`` on NHWC tensors (drop path inactive).

    Attributes:
        norm1, norm2: LayerNorm(C, eps 1e-5).
        attn: :class:`ShiftedWindowAttention`.
        mlp: Sequential ``0`` Linear(C, 4C), ``1`` GELU, ``2`` Dropout, ``3`` Linear(4C, C),
            ``4`` Dropout (dropouts are p=0).
    """

    def __init__(self, dim: int, num_heads: int, window: int, shift: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn = ShiftedWindowAttention(dim, window, shift, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.mlp = nn.Sequential(
            nn.Linear(dim, 4 * dim),
            nn.GELU(),
            nn.Dropout(0.0),
            nn.Linear(4 * dim, dim),
            nn.Dropout(0.0),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (B, H, W, C) → same shape."""
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    """Swin v1 patch merging: 2×2 neighbours → LayerNorm(4C) → Linear(4C, 2C, no bias).

    Odd H/W are zero-padded at the bottom/right first. The 4C vector is
    ``[x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]]`` (row offset varies fastest).
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (B, H, W, C) → (B, ceil(H/2), ceil(W/2), 2C)."""
        h, w = x.shape[1:3]
        x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2))
        x = torch.cat(
            [x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], dim=-1
        )
        return self.reduction(self.norm(x))


class SwinTEncoder(nn.Module):
    """torchvision-layout Swin-T feature extractor.

    Attributes:
        features: ``0`` patch embed (Conv2d k=patch_size, s=stem stride, padding 1; permute to
            NHWC; LayerNorm), odd indices are stages of :class:`SwinTransformerBlock` (shift 0
            for even block index, ``window // 2`` for odd), ``2, 4, 6`` are
            :class:`PatchMerging`.
        norm: LayerNorm(8E) applied to the last stage's output only.
    """

    def __init__(
        self,
        in_channels: int,
        embed: int,
        depths: list[int],
        num_heads: list[int],
        window: int,
        patch_size: int,
        stem_stride: int,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.Sequential(
                nn.Conv2d(in_channels, embed, patch_size, stride=stem_stride, padding=1),
                Permute([0, 2, 3, 1]),
                nn.LayerNorm(embed, eps=1e-5),
            )
        ]
        dim = embed
        for i, (depth, heads) in enumerate(zip(depths, num_heads)):
            layers.append(
                nn.Sequential(
                    *[
                        SwinTransformerBlock(dim, heads, window, 0 if j % 2 == 0 else window // 2)
                        for j in range(depth)
                    ]
                )
            )
            if i + 1 < len(depths):
                layers.append(PatchMerging(dim))
                dim *= 2
        self.features = nn.Sequential(*layers)
        self.norm = nn.LayerNorm(dim, eps=1e-5)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Run the stages.

        Args:
            x: (N, C_in, H, W) float32.

        Returns:
            ``(last, skips)`` as NCHW tensors: the normed last-stage output and the outputs of
            ``features.0, 2, 4, 6`` (patch embed and merges, not normed), shallowest first.
        """
        skips: list[torch.Tensor] = []
        n = len(self.features)
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i % 2 == 0:
                skips.append(x.permute(0, 3, 1, 2))
            if i == n - 1:
                x = self.norm(x)
        return x.permute(0, 3, 1, 2), skips


def resolve_swint_config(cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    """Fill defaults and resolve the architecture of a ``backbone_config.swint`` dict.

    ``arch`` (used when ``model_type`` is not a preset) is ``{embed, depths, num_heads}``.

    Returns:
        The config with every key set, plus ``embed``, ``depths``, ``num_heads`` and
        ``max_stride`` forced to ``stem_patch_stride · 16``.

    Raises:
        ModelLoadError: unknown ``model_type`` without an ``arch``, or a malformed ``arch``.
    """
    out = dict(_DEFAULTS)
    out.update({k: v for k, v in dict(cfg or {}).items() if v is not None})
    model_type = out.get("model_type")
    arch = out.get("arch")
    if isinstance(model_type, str) and model_type in SWINT_PRESETS:
        embed, depths, heads = SWINT_PRESETS[model_type]
    elif isinstance(arch, Mapping) and {"embed", "depths", "num_heads"} <= set(arch):
        embed, depths, heads = arch["embed"], list(arch["depths"]), list(arch["num_heads"])
    else:
        raise ModelLoadError(
            f"SwinT config has model_type {model_type!r} and no usable arch",
            hint=f"set model_type to one of {sorted(SWINT_PRESETS)} or arch to "
            "{embed: E, depths: [...], num_heads: [...]}",
        )
    if len(depths) != 4 or len(heads) != 4:
        raise ModelLoadError(
            f"SwinT arch needs 4 depths and 4 num_heads, got {depths} and {heads}",
            hint="fix backbone_config.swint.arch in training_config.yaml",
        )
    out["embed"] = int(embed)
    out["depths"] = [int(d) for d in depths]
    out["num_heads"] = [int(h) for h in heads]
    out["stem_patch_stride"] = int(out["stem_patch_stride"])
    out["max_stride"] = out["stem_patch_stride"] * 16
    out["filters_rate"] = float(out["filters_rate"])
    out["window_size"] = int(out["window_size"])
    _check_strides(out, "swint")
    return out


class SwinTBackbone(EncoderDecoderBackbone):
    """sleap-nn's ``SwinTWrapper``: Swin-T encoder → "same" max-pool → middle → decoder.

    Attributes:
        enc: :class:`SwinTEncoder`.
        middle_blocks: ModuleList (``convnext_middle_expand``/``convnext_middle_contract``).
        dec: :class:`pose_adapters.torch._decoder.Decoder`.
        max_stride: stride of the middle-block output (``stem_patch_stride · 16``).
        stride_to_filters: channels available at each stride (the heads' input channels).
    """

    def __init__(self, cfg: Mapping[str, Any] | None = None) -> None:
        """Build from a ``model_config.backbone_config.swint`` dict (missing keys default)."""
        super().__init__()
        c = resolve_swint_config(cfg)
        self.config = c
        e = c["embed"]
        channels = [e, 2 * e, 4 * e, 8 * e]
        self.enc = SwinTEncoder(
            int(c["in_channels"]),
            e,
            c["depths"],
            c["num_heads"],
            c["window_size"],
            int(c["patch_size"]),
            c["stem_patch_stride"],
        )
        self._build_neck(c, channels, c0=e)
