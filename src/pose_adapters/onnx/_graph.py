"""The torch module that becomes the ONNX graph: uint8 in, normalised, channel-fixed, network.

Imported only by :mod:`pose_adapters.onnx.convert` (and the export adapter), never at package
import time: it imports torch at module level.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

#: ITU-R 601 luma weights used by the reference's ``rgb_to_grayscale`` (R, G, B).
_GRAY_WEIGHTS = (0.2989, 0.587, 0.114)


class UInt8Network(nn.Module):
    """Wraps a network whose forward takes float32 NCHW in [0, 1] and returns a dict.

    The wrapper's forward takes ``image``: uint8 ``(B, C, H, W)`` with ``C`` in {1, 3} and
    returns the outputs as a tuple in ``keys`` order (float32 NCHW; ``class_vectors`` is
    ``(B, n_classes)``). Inside: ``float / 255`` (always, as the reference does for integer
    input), then the channel fix the reference's ``Model`` applies when ``C`` differs from the
    network's channel count: 1 → 3 repeats the channel, 3 → 1 is
    ``0.2989 R + 0.587 G + 0.114 B`` in float32.

    The 3 → 1 fix is written without Python branches on the channel count so that one traced
    graph serves both ``C = 1`` and ``C = 3`` with a dynamic channel axis: ``k`` (the channel
    count, computed by a reduction) selects between the identity and the weighted sum with a
    0/1 factor, which is exact in float32 (``x * 1 + 0 * g == x``).
    """

    def __init__(self, network: nn.Module, in_channels: int, keys: tuple[str, ...]) -> None:
        super().__init__()
        from pose_adapters._activations import LOGIT_OUTPUTS, graph_key

        heads = [m for m in network.modules()
                 if getattr(m, "output_key", None) in LOGIT_OUTPUTS and hasattr(m, "name")]
        if heads and any(k in LOGIT_OUTPUTS for k in keys):
            # Class maps leave the graph as logits; the host applies torch's sigmoid
            # (ADR-0053). Work on a copy so the caller's torch network keeps its sigmoid.
            network = copy.deepcopy(network)
            for m in network.modules():
                if getattr(m, "output_key", None) in LOGIT_OUTPUTS and hasattr(m, "name"):
                    getattr(m, str(m.name))[1] = nn.Identity()
            keys = tuple(graph_key(k) for k in keys)
        self.network = network
        self.in_channels = int(in_channels)
        self.keys = tuple(keys)

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = image.to(torch.float32) / 255.0
        if self.in_channels == 3:
            x = x.expand(-1, 3, -1, -1)
        elif self.in_channels == 1:
            k = torch.ones_like(x[:, :, :1, :1]).sum(dim=1, keepdim=True)
            single = (k == 1.0).to(x.dtype)
            x3 = x.expand(-1, 3, -1, -1)
            r, g, b = _GRAY_WEIGHTS
            gray = r * x3[:, 0:1] + g * x3[:, 1:2] + b * x3[:, 2:3]
            x = single * x[:, 0:1] + (1.0 - single) * gray
        out = self.network(x)
        if isinstance(out, torch.Tensor):
            return (out,)
        return tuple(out[k.removesuffix("_logits")] for k in self.keys)


def output_keys(network: nn.Module, in_channels: int, size: tuple[int, int]) -> tuple[str, ...]:
    """The output keys the network returns, in canonical order, found by one forward pass.

    A network that returns a bare tensor is taken to return confidence maps.
    """
    from pose_app.model import CLASS_MAPS, CLASS_VECTORS, CONFMAPS, PAFS

    with torch.inference_mode():
        out = network(torch.zeros((1, in_channels, *size), dtype=torch.float32))
    if isinstance(out, torch.Tensor):
        return (CONFMAPS,)
    order = (CONFMAPS, PAFS, CLASS_MAPS, CLASS_VECTORS)
    unknown = sorted(set(out) - set(order))
    if unknown:
        raise ValueError(f"network returned unknown output keys {unknown}")
    return tuple(k for k in order if k in out)
