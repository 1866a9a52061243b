"""Shapes, strides and state-dict names of ConvNeXt/SwinT built from configs (no oracle needed)."""

from __future__ import annotations

import pytest
import torch

from pose_adapters.torch.convnext import ConvNextBackbone
from pose_adapters.torch.swint import SwinTBackbone, relative_position_index, shift_mask
from pose_domain.errors import ModelLoadError


def _keys(model: torch.nn.Module) -> list[str]:
    return list(model.state_dict())


def test_custom_convnext_names_and_shapes() -> None:
    cfg = {
        "model_type": "custom",
        "arch": {"depths": [1, 2, 1, 1], "channels": [4, 8, 16, 32]},
        "in_channels": 1,
        "output_stride": 4,
    }
    m = ConvNextBackbone(cfg).eval()
    sd = m.state_dict()
    assert sd["enc.features.0.0.weight"].shape == (4, 1, 4, 4)
    assert sd["enc.features.3.1.block.0.weight"].shape == (8, 1, 7, 7)
    assert sd["enc.features.3.1.layer_scale"].shape == (8, 1, 1)
    assert sd["enc.features.6.1.weight"].shape == (32, 16, 2, 2)
    assert sd["middle_blocks.0.blocks.convnext_middle_expand_conv0.weight"].shape == (64, 32, 3, 3)
    assert sd["middle_blocks.1.blocks.convnext_middle_contract_conv0.weight"].shape[:2] == (64, 64)
    # s32→16: out = 4·2³ = 32, in = 64 + skip 32
    assert sd["dec.decoder_stack.0.blocks.dec0_s32_to_s16_refine_conv0.weight"].shape[:2] == (
        32,
        96,
    )
    assert "dec.decoder_stack.2.blocks.dec2_s8_to_s4_refine_conv1.bias" in sd
    assert not any(k.startswith("dec.decoder_stack.3") for k in sd)
    assert m.stride_to_filters == {32: 64, 16: 32, 8: 16, 4: 8}
    with torch.no_grad():
        out = m(torch.zeros(2, 1, 64, 96))
    assert out["strides"] == [16, 8, 4]
    assert [tuple(o.shape) for o in out["outputs"]] == [
        (2, 32, 4, 6),
        (2, 16, 8, 12),
        (2, 8, 16, 24),
    ]
    assert tuple(out["middle"].shape) == (2, 64, 2, 3)


def test_custom_swint_names_and_shapes() -> None:
    cfg = {
        "model_type": "custom",
        "arch": {"embed": 8, "depths": [2, 1, 1, 1], "num_heads": [1, 2, 2, 4]},
        "window_size": 5,
        "output_stride": 2,
        "up_interpolate": False,
    }
    m = SwinTBackbone(cfg).eval()
    sd = m.state_dict()
    assert sd["enc.features.0.0.weight"].shape == (8, 1, 4, 4)
    assert sd["enc.features.0.2.weight"].shape == (8,)
    assert sd["enc.features.1.1.attn.relative_position_bias_table"].shape == (81, 1)
    assert sd["enc.features.1.1.attn.relative_position_index"].shape == (625,)
    assert sd["enc.features.1.0.mlp.3.weight"].shape == (8, 32)
    assert sd["enc.features.2.reduction.weight"].shape == (16, 32)
    assert "enc.features.2.reduction.bias" not in sd
    assert sd["enc.norm.weight"].shape == (64,)
    assert sd["dec.decoder_stack.0.blocks.dec0_s32_to_s16_trans_conv.weight"].shape == (
        128,
        64,
        3,
        3,
    )
    assert m.stride_to_filters == {32: 128, 16: 64, 8: 32, 4: 16, 2: 8}
    with torch.no_grad():
        out = m(torch.zeros(1, 1, 61, 83))
    assert out["strides"] == [16, 8, 4, 2]
    assert tuple(out["outputs"][-1].shape) == (1, 8, 30, 41)


@pytest.mark.parametrize(
    ("cls", "model_type", "n_tensors"),
    [
        (ConvNextBackbone, "tiny", 198),  # 202 for tiny bottom-up minus 2 heads x 2
        (ConvNextBackbone, "large", None),
        (SwinTBackbone, "tiny", 203),  # 207 minus the heads
        (SwinTBackbone, "base", None),
    ],
)
def test_presets_win_over_arch(cls: type, model_type: str, n_tensors: int | None) -> None:
    cfg = {"model_type": model_type, "arch": {"depths": [1], "channels": [1]}, "output_stride": 2}
    with torch.device("meta"):
        m = cls(cfg)
    if n_tensors is not None:
        assert len(m.state_dict()) == n_tensors
    c0 = {"tiny": 96, "large": 192, "base": 128}[model_type]
    assert m.stride_to_filters[2] == c0
    assert m.stride_to_filters[32] == 16 * c0


def test_max_stride_is_forced_from_stem_stride() -> None:
    cfg = {
        "model_type": "custom",
        "arch": {"depths": [1, 1, 1, 1], "channels": [4, 4, 4, 4]},
        "max_stride": 16,  # hand-written configs may say 16; the network still reduces by 32
        "output_stride": 16,
    }
    assert ConvNextBackbone(cfg).max_stride == 32
    cfg["stem_patch_stride"] = 4
    m = ConvNextBackbone(cfg)
    assert m.max_stride == 64
    assert m.dec.strides == [32, 16]


def test_decoder_block_without_skip_has_one_refine_conv() -> None:
    cfg = {"model_type": "custom", "arch": {"depths": [1] * 4, "channels": [4, 4, 4, 4]}}
    keys = _keys(ConvNextBackbone(cfg))  # output_stride defaults to 1: 5 blocks, 4 skips
    assert "dec.decoder_stack.4.blocks.dec4_s2_to_s1_refine_conv0.weight" in keys
    assert "dec.decoder_stack.4.blocks.dec4_s2_to_s1_refine_conv1.weight" not in keys


@pytest.mark.parametrize(
    "cfg",
    [
        {"model_type": "huge"},
        {"model_type": "custom", "arch": {"depths": [1, 1], "channels": [4, 8]}},
        {
            "model_type": "custom",
            "arch": {"depths": [1] * 4, "channels": [4] * 4},
            "output_stride": 3,
        },
    ],
)
def test_bad_convnext_configs_raise_model_load_error(cfg: dict) -> None:
    with pytest.raises(ModelLoadError):
        ConvNextBackbone(cfg)


def test_bad_swint_heads_raise_model_load_error() -> None:
    cfg = {"model_type": "custom", "arch": {"embed": 10, "depths": [1] * 4, "num_heads": [3] * 4}}
    with pytest.raises(ModelLoadError):
        SwinTBackbone(cfg)


def test_relative_position_index_small_window() -> None:
    idx = relative_position_index(2).view(4, 4)
    # tokens (0,0) (0,1) (1,0) (1,1); table side 3: index = (di + 1) * 3 + (dj + 1)
    assert idx[0].tolist() == [4, 3, 1, 0]
    assert idx[3].tolist() == [8, 7, 5, 4]


def test_shift_mask_separates_rolled_regions() -> None:
    mask = shift_mask(4, 4, 2, (1, 1))
    assert mask.shape == (4, 4, 4)
    assert (mask[0] == 0).all()  # the top-left window holds one region
    assert (mask[3] != 0).any()  # the bottom-right window mixes four regions
    assert set(mask.unique().tolist()) == {0.0, -100.0}
