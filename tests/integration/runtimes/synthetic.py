"""A small torch network with the interface of H1's builder output, for runtime tests.

float32 NCHW in [0, 1] with ``in_channels`` channels → ``dict`` of outputs (conv, max-pool,
bilinear upsample, transposed conv, concat), plus a matching ``ModelSpec``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pose_app.model import Backbone, ModelSpec, Preprocessing
from pose_domain.skeleton import Skeleton


class TinyNet(nn.Module):
    def __init__(self, in_channels: int = 1, n_nodes: int = 2, n_edges: int = 1,
                 heads: tuple[str, ...] = ("confmaps", "pafs"), n_classes: int = 2) -> None:
        super().__init__()
        self.heads = heads
        self.c1 = nn.Conv2d(in_channels, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 12, 3, padding=1)
        self.c3 = nn.Conv2d(12, 16, 3, padding=1)
        self.up = nn.ConvTranspose2d(16, 12, 3, stride=2, padding=1, output_padding=1)
        self.cm = nn.Conv2d(24, n_nodes, 1)
        self.paf = nn.Conv2d(24, 2 * n_edges, 1)
        self.cls = nn.Conv2d(24, n_classes, 1)
        self.vec = nn.Linear(16, n_classes)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        a = F.relu(self.c1(x))
        b = F.relu(self.c2(F.max_pool2d(a, 2)))           # stride 2
        c = F.relu(self.c3(F.max_pool2d(b, 2)))           # stride 4
        u = F.interpolate(self.up(c), scale_factor=0.5, mode="bilinear", align_corners=False)
        z = torch.cat([u, F.interpolate(b, scale_factor=0.5, mode="bilinear")], 1)  # stride 4
        out = {"confmaps": self.cm(z)}
        if "pafs" in self.heads:
            out["pafs"] = self.paf(z)
        if "class_maps" in self.heads:
            out["class_maps"] = torch.sigmoid(self.cls(z))
        if "class_vectors" in self.heads:
            out["class_vectors"] = self.vec(c.mean(dim=(2, 3)))
        return out


def tiny(in_channels: int = 1, model_type: str = "bottomup", seed: int = 0
         ) -> tuple[ModelSpec, TinyNet]:
    heads = {
        "bottomup": ("confmaps", "pafs"),
        "multi_class_bottomup": ("confmaps", "class_maps"),
        "multi_class_topdown": ("confmaps", "class_vectors"),
    }.get(model_type, ("confmaps",))
    torch.manual_seed(seed)
    net = TinyNet(in_channels, heads=heads).eval()
    spec = ModelSpec(
        path="synthetic",
        model_type=model_type,
        skeleton=Skeleton(nodes=("a", "b"), edges=((0, 1),)),
        backbone=Backbone.UNET,
        in_channels=in_channels,
        max_stride=4,
        confmap_stride=4,
        paf_stride=4 if "pafs" in heads else None,
        classes=("x", "y") if "class" in "".join(heads) else (),
        preprocessing=Preprocessing(max_height=64, max_width=64),
    )
    return spec, net
