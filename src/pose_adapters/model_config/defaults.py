"""Config vocabulary shared by the readers and the network builders: head types and parts, and
the backbone defaults sleap-nn fills in (parity notes §1.1). The torch builders import these
defaults, so the reader and the network agree on every value a config leaves out."""

from __future__ import annotations

from typing import Any

from pose_app.model import MODEL_TYPES

#: Head types in the canonical order sleap-nn uses to pick the model type.
CANONICAL_HEADS: tuple[str, ...] = (
    *MODEL_TYPES,
    "bottomup_segmentation",
    "centered_instance_segmentation",
    "semantic_segmentation",
)
#: sleap-nn backbone blocks in the order sleap-nn picks the first non-null one.
SLEAPNN_BACKBONES: tuple[str, ...] = ("unet", "convnext", "swint", "pretrained")
#: The sleap-nn backbone blocks pose rebuilds.
SUPPORTED_BACKBONES: tuple[str, ...] = ("unet", "convnext", "swint")

UNET_DEFAULTS: dict[str, Any] = {
    "in_channels": 1,
    "kernel_size": 3,
    "filters": 32,
    "filters_rate": 1.5,
    "max_stride": 16,
    "stem_stride": None,
    "middle_block": True,
    "up_interpolate": True,
    "stacks": 1,
    "convs_per_block": 2,
    "output_stride": 1,
}
CONVNEXT_DEFAULTS: dict[str, Any] = {
    "model_type": "tiny",
    "arch": None,
    "stem_patch_kernel": 4,
    "stem_patch_stride": 2,
    "in_channels": 1,
    "kernel_size": 3,
    "filters_rate": 2.0,
    "convs_per_block": 2,
    "up_interpolate": True,
    "output_stride": 1,
    "max_stride": 32,
}
SWINT_DEFAULTS: dict[str, Any] = {
    "model_type": "tiny",
    "arch": None,
    "patch_size": 4,
    "stem_patch_stride": 2,
    "window_size": 7,
    "in_channels": 1,
    "kernel_size": 3,
    "filters_rate": 2.0,
    "convs_per_block": 2,
    "up_interpolate": True,
    "output_stride": 1,
    "max_stride": 32,
}

#: SLEAP ≤1.4 backbones that only the Keras runtime runs (ADR-0072): ``(max_stride,
#: output_stride)`` defaults of their SLEAP config classes (pretrained encoders always reduce by
#: 32). Keys are the block names of ``model.backbone`` (= :class:`~pose_app.model.Backbone`
#: values).
LEGACY_KERAS_STRIDES: dict[str, tuple[int, int]] = {
    "leap": (8, 1),
    "resnet": (32, 4),
    "hourglass": (64, 4),
    "pretrained_encoder": (32, 2),
}

#: Sub-config names of each head type: spatial ones first; ``class_vectors`` is not spatial.
HEAD_PARTS: dict[str, tuple[str, ...]] = {
    "single_instance": ("confmaps",),
    "centroid": ("confmaps",),
    "centered_instance": ("confmaps",),
    "bottomup": ("confmaps", "pafs"),
    "multi_class_bottomup": ("confmaps", "class_maps"),
    "multi_class_topdown": ("confmaps", "class_vectors"),
}


def dig(d: Any, *keys: str) -> Any:
    """``d[k1][k2]…``, or None where a level is missing or not a mapping."""
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def first_non_null(block: Any, order: tuple[str, ...]) -> str | None:
    """The first key of ``order`` whose value in ``block`` is not None; else the first other
    non-null key (unknown types are still reported by name); None if there is none."""
    if not isinstance(block, dict):
        return None
    for key in order:
        if block.get(key) is not None:
            return key
    for key, value in block.items():
        if value is not None:
            return str(key)
    return None
