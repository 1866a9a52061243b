"""What the use cases know about a trained model, independent of its file format or runtime."""

from __future__ import annotations

from typing import Literal

import attrs

from pose_domain.skeleton import Skeleton

ModelType = Literal[
    "single_instance",
    "centroid",
    "centered_instance",
    "bottomup",
    "multi_class_bottomup",
    "multi_class_topdown",
]
MODEL_TYPES: tuple[str, ...] = (
    "single_instance",
    "centroid",
    "centered_instance",
    "bottomup",
    "multi_class_bottomup",
    "multi_class_topdown",
)

#: Output keys every runtime uses (values: float32 NCHW arrays; class_vectors: (B, n_classes)).
CONFMAPS = "confmaps"
PAFS = "pafs"
CLASS_MAPS = "class_maps"
CLASS_VECTORS = "class_vectors"


@attrs.frozen(kw_only=True)
class Preprocessing:
    """Preprocessing recorded in the training config."""

    ensure_rgb: bool = False
    ensure_grayscale: bool = False
    max_height: int | None = None
    max_width: int | None = None
    scale: float = 1.0
    crop_size: int | None = None


@attrs.frozen(kw_only=True)
class ModelSpec:
    """A trained model's inference-relevant facts.

    Attributes:
        path: The model folder.
        model_type: Which head family the model has.
        skeleton: Node order = confidence-map channel order.
        backbone: ``unet``, ``convnext``, ``swint`` or ``legacy:<name>``.
        in_channels: Channels the network expects.
        max_stride: Inputs are padded to a multiple of this.
        confmap_stride: Output stride of the confidence maps.
        paf_stride: Output stride of part affinity fields (bottom-up).
        class_map_stride: Output stride of class maps (multi-class bottom-up).
        classes: Class (identity) names of multi-class models, in output order.
        anchor_part: Anchor node name from the config (centroid / centered instance).
        preprocessing: Training-time preprocessing.
        source_format: ``sleap-nn`` or ``sleap-legacy``.
    """

    path: str
    model_type: str
    skeleton: Skeleton
    backbone: str
    in_channels: int
    max_stride: int
    confmap_stride: int
    paf_stride: int | None = None
    class_map_stride: int | None = None
    classes: tuple[str, ...] = ()
    anchor_part: str | None = None
    preprocessing: Preprocessing = attrs.field(factory=Preprocessing)
    source_format: str = "sleap-nn"
