"""Build a torch network for a model folder and load its weights strictly.

``build_network(model_path)`` returns the :class:`ModelSpec` and a :class:`PoseNetwork` whose
``state_dict`` names equal sleap-nn's (without the Lightning ``model.`` prefix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from pose_adapters.model_config import ModelConfig, load_model_config
from pose_adapters.torch.heads import HEADS_BY_TYPE, ClassVectorsHead, SpatialHead
from pose_app.model import Backbone, ModelSpec
from pose_domain.errors import ModelLoadError


def fix_channels(x: torch.Tensor, in_channels: int) -> torch.Tensor:
    """Match the channel count the network expects, as sleap-nn's ``Model.forward`` does.

    Args:
        x: ``(B, C, H, W)`` float32.
        in_channels: Channels the network expects.

    Returns:
        ``x`` unchanged, 1→3 repeated, or 3→1 as ``0.2989 R + 0.587 G + 0.114 B`` (float).
    """
    c = x.shape[1]
    if c == in_channels:
        return x
    if c == 1 and in_channels == 3:
        return x.repeat(1, 3, 1, 1)
    if c == 3 and in_channels == 1:
        # Same op order as the reference (mul, then fused add-with-alpha) for bit parity.
        r, g, b = x.unbind(dim=1)
        return r.mul(0.2989).add_(g, alpha=0.587).add_(b, alpha=0.114).unsqueeze(1)
    raise ModelLoadError(
        f"network expects {in_channels} channel(s) but got {c}",
        hint="use 1-channel (grayscale) or 3-channel (RGB) input",
    )


def _channels(part: str, cfg: dict[str, Any], head: str = "") -> int:
    if head == "CentroidConfmapsHead":
        return 1
    if part == "confmaps":
        return len(cfg.get("part_names") or []) or 1
    if part == "pafs":
        return 2 * len(cfg["edges"])
    return len(cfg["classes"])


class PoseNetwork(nn.Module):
    """Backbone + heads; ``forward`` returns ``pose_app.model`` output keys.

    ``forward(x)``: ``x`` is ``(B, C, H, W)`` float32 in ``[0, 1]``; ``H``, ``W`` multiples of
    ``max_stride``. Returns ``confmaps (B, n_nodes, H/s, W/s)``, ``pafs (B, 2·n_edges, …)``,
    ``class_maps (B, n_classes, …)`` (sigmoid) and ``class_vectors (B, n_classes)`` (softmax),
    as present for the model type.
    """

    def __init__(self, config: ModelConfig, backbone: nn.Module) -> None:
        super().__init__()
        self.in_channels = int(config.backbone_config["in_channels"])
        self.backbone = backbone
        self.head_layers = nn.ModuleList()
        s2f: dict[int, int] = dict(getattr(backbone, "stride_to_filters", {}))
        # The backbone knows its real max stride (ConvNeXt/SwinT force stem_stride·16 even when
        # a hand-written config says otherwise).
        max_stride = int(getattr(backbone, "max_stride", config.backbone_config["max_stride"]))
        for name, part in HEADS_BY_TYPE[config.spec.model_type]:
            cfg = config.heads[part]
            if part == "class_vectors":
                self.head_layers.append(
                    ClassVectorsHead(
                        in_ch=s2f[max_stride],
                        n_classes=_channels(part, cfg),
                        num_fc_layers=int(cfg.get("num_fc_layers", 1)),
                        num_fc_units=int(cfg.get("num_fc_units", 64)),
                        global_pool=bool(cfg.get("global_pool", True)),
                    )
                )
                continue
            stride = int(cfg["output_stride"])
            if stride not in s2f:
                raise ModelLoadError(
                    f"head {name} has output_stride {stride}, which the backbone does not produce"
                    f" (strides {sorted(s2f)})",
                    hint="fix output_stride in the training config",
                )
            n_out = _channels(part, cfg, name)
            self.head_layers.append(SpatialHead(name, s2f[stride], n_out, stride))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        x = fix_channels(x, self.in_channels)
        feats = self.backbone(x)
        outputs: list[torch.Tensor] = feats["outputs"]
        strides: list[int] = feats["strides"]
        result: dict[str, torch.Tensor] = {}
        for head in self.head_layers:
            if isinstance(head, ClassVectorsHead):
                result[head.output_key] = head(feats["middle"])
                continue
            assert isinstance(head, SpatialHead)
            src = outputs[strides.index(head.output_stride)] if outputs else feats["middle"]
            result[head.output_key] = head(src)
        return result


def make_backbone(config: ModelConfig) -> nn.Module:
    """Instantiate the configured backbone (ConvNeXt/SwinT imported lazily)."""
    backbone = config.spec.backbone
    if backbone is Backbone.UNET:
        if int(config.backbone_config.get("stacks", 1)) != 1:
            raise ModelLoadError(
                "UNet with stacks > 1 is not supported", hint="retrain with stacks: 1"
            )
        from pose_adapters.torch.unet import UNet

        return UNet(config.backbone_config)
    try:
        if backbone is Backbone.CONVNEXT:
            from pose_adapters.torch.convnext import ConvNextBackbone

            return ConvNextBackbone(config.backbone_config)
        if backbone is Backbone.SWINT:
            from pose_adapters.torch.swint import SwinTBackbone

            return SwinTBackbone(config.backbone_config)
    except ImportError as exc:
        raise ModelLoadError(
            f"the {backbone.label} backbone is not available in this build ({exc})",
            hint="use a UNet model",
        ) from exc
    raise ModelLoadError(f"backbone '{backbone.label}' is not supported")


def load_weights_strict(module: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """``load_state_dict(strict=True)`` with a one-line error naming the first mismatches."""
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    extra = [k for k in state if k not in own]
    bad = [k for k in own if k in state and tuple(own[k].shape) != tuple(state[k].shape)]
    if missing or extra or bad:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} (e.g. {missing[0]})")
        if extra:
            parts.append(f"unexpected {len(extra)} (e.g. {extra[0]})")
        if bad:
            k = bad[0]
            parts.append(
                f"shape mismatch {len(bad)} (e.g. {k}: {tuple(state[k].shape)} vs "
                f"{tuple(own[k].shape)})"
            )
        raise ModelLoadError(
            f"weights in '{source}' do not match the network from its training config: "
            + "; ".join(parts),
            hint="the checkpoint and training_config.yaml must come from the same run",
        )
    module.load_state_dict(state, strict=True)


def _apply_overrides(
    state: dict[str, torch.Tensor],
    backbone_ckpt_path: str | None,
    head_ckpt_path: str | None,
) -> dict[str, torch.Tensor]:
    """Weight overrides of parity notes §1.1 (``--backbone_ckpt_path`` / ``--head_ckpt_path``)."""
    from pose_adapters.torch.checkpoint import load_state_dict

    out = dict(state)
    if backbone_ckpt_path and not head_ckpt_path:
        over = load_state_dict(backbone_ckpt_path)
        out.update({k: v for k, v in over.items() if k in out})
    else:
        if backbone_ckpt_path:
            over = load_state_dict(backbone_ckpt_path)
            out.update({k: v for k, v in over.items() if k.startswith("backbone.") and k in out})
        if head_ckpt_path:
            over = load_state_dict(head_ckpt_path)
            out.update({k: v for k, v in over.items() if k.startswith("head_layers.") and k in out})
    return out


def build_network(
    model_path: str,
    *,
    backbone_ckpt_path: str | None = None,
    head_ckpt_path: str | None = None,
    keras_exact_transpose: bool = False,
) -> tuple[ModelSpec, nn.Module]:
    """Build the network of a model folder and load its weights (strictly), in eval mode.

    Args:
        model_path: Folder, ``*.ckpt``, ``best_model.h5`` or ``training_config.*``.
        backbone_ckpt_path: Optional checkpoint whose weights replace the backbone's (alone:
            every matching key; with ``head_ckpt_path``: only ``backbone.*`` keys).
        head_ckpt_path: Optional checkpoint whose ``head_layers.*`` weights replace the heads'.
        keras_exact_transpose: Legacy models only: align transposed convs exactly like Keras
            instead of like sleap-nn's conversion (ADR 0011).

    Returns:
        ``(spec, module)``; ``module(x)`` maps ``(B, C, H, W)`` float32 in ``[0, 1]`` to a dict
        of ``pose_app.model`` output keys.

    Raises:
        InputNotFoundError, ModelLoadError, UnsafeModelFileError: See the config/checkpoint
            readers.
    """
    config = load_model_config(model_path)
    net = PoseNetwork(config, make_backbone(config))
    if config.spec.source_format == "sleap-legacy":
        from pose_adapters.torch.legacy_h5 import load_legacy_weights

        load_legacy_weights(net, config.weights_path)
        if keras_exact_transpose:
            set_keras_exact = getattr(net.backbone, "set_keras_exact_transpose", None)
            if set_keras_exact is not None:
                set_keras_exact(True)
    else:
        from pose_adapters.torch.checkpoint import load_state_dict

        state = load_state_dict(config.weights_path)
        if backbone_ckpt_path or head_ckpt_path:
            for p in (backbone_ckpt_path, head_ckpt_path):
                if p and not Path(p).is_file():
                    from pose_domain.errors import InputNotFoundError

                    raise InputNotFoundError(f"checkpoint '{p}' does not exist")
            state = _apply_overrides(state, backbone_ckpt_path, head_ckpt_path)
        load_weights_strict(net, state, str(config.weights_path))
    net.eval()
    for param in net.parameters():
        param.requires_grad_(False)
    return config.spec, net
