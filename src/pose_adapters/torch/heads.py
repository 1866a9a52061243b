"""Output heads with sleap-nn state-dict names (parity notes §2.5).

Spatial heads register as ``head_layers.<i>.<HeadName>.0`` (1×1 conv); the class-vector head
as ``head_layers.<i>.pre_classification<k>_fc`` and ``head_layers.<i>.ClassVectorsHead``.
"""

from __future__ import annotations

import torch
from torch import nn

from pose_app.model import CLASS_MAPS, CLASS_VECTORS, CONFMAPS, PAFS

#: Head class name → (output key, activation).
HEAD_OUTPUTS: dict[str, tuple[str, str]] = {
    "SingleInstanceConfmapsHead": (CONFMAPS, "identity"),
    "CentroidConfmapsHead": (CONFMAPS, "identity"),
    "CenteredInstanceConfmapsHead": (CONFMAPS, "identity"),
    "MultiInstanceConfmapsHead": (CONFMAPS, "identity"),
    "PartAffinityFieldsHead": (PAFS, "identity"),
    "ClassMapsHead": (CLASS_MAPS, "sigmoid"),
    "ClassVectorsHead": (CLASS_VECTORS, "softmax"),
}

#: Head class names per model type, in ``head_layers`` order, with the config part they use.
HEADS_BY_TYPE: dict[str, tuple[tuple[str, str], ...]] = {
    "single_instance": (("SingleInstanceConfmapsHead", "confmaps"),),
    "centroid": (("CentroidConfmapsHead", "confmaps"),),
    "centered_instance": (("CenteredInstanceConfmapsHead", "confmaps"),),
    "bottomup": (
        ("MultiInstanceConfmapsHead", "confmaps"),
        ("PartAffinityFieldsHead", "pafs"),
    ),
    "multi_class_bottomup": (
        ("MultiInstanceConfmapsHead", "confmaps"),
        ("ClassMapsHead", "class_maps"),
    ),
    "multi_class_topdown": (
        ("CenteredInstanceConfmapsHead", "confmaps"),
        ("ClassVectorsHead", "class_vectors"),
    ),
}


class SpatialHead(nn.Module):
    """1×1 conv head; ``forward`` maps ``(B, in_ch, h, w)`` → ``(B, out_ch, h, w)`` float32."""

    def __init__(self, name: str, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.name = name
        self.output_key, activation = HEAD_OUTPUTS[name]
        self.output_stride = stride
        act: nn.Module = nn.Sigmoid() if activation == "sigmoid" else nn.Identity()
        self.add_module(name, nn.Sequential(nn.Conv2d(in_ch, out_ch, 1), act))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq: nn.Module = getattr(self, self.name)
        out: torch.Tensor = seq(x)
        return out


class ClassVectorsHead(nn.Module):
    """Global max-pool → ``n_fc`` × [Linear → ReLU] → Linear → softmax.

    ``forward`` maps the middle-block output ``(B, C, h, w)`` to ``(B, n_classes)``
    probabilities (float32, rows sum to 1).
    """

    def __init__(
        self, in_ch: int, n_classes: int, num_fc_layers: int, num_fc_units: int, global_pool: bool
    ) -> None:
        super().__init__()
        self.name = "ClassVectorsHead"
        self.output_key = CLASS_VECTORS
        self.global_pool = global_pool
        self.num_fc_layers = num_fc_layers
        ch = in_ch
        for i in range(num_fc_layers):
            self.add_module(f"pre_classification{i}_fc", nn.Linear(ch, num_fc_units))
            ch = num_fc_units
        self.add_module("ClassVectorsHead", nn.Linear(ch, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.global_pool:
            x = torch.amax(x, dim=(-2, -1), keepdim=True)
        x = torch.flatten(x, 1)
        for i in range(self.num_fc_layers):
            x = torch.relu(getattr(self, f"pre_classification{i}_fc")(x))
        final: nn.Module = self.get_submodule("ClassVectorsHead")
        x = final(x)
        return torch.softmax(x, dim=-1)
