"""What the use cases know about a trained model, independent of its file format or runtime."""

from __future__ import annotations

import enum
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

#: Output names of the networks' graphs (ONNX, TensorRT, OpenVINO, torch and Keras heads); they
#: are the field names of :class:`pose_app.network_outputs.NetworkOutputs`.
CONFMAPS = "confmaps"
PAFS = "pafs"
CLASS_MAPS = "class_maps"
CLASS_VECTORS = "class_vectors"
#: Learned offset maps of SLEAP 1.4 models (Keras runtime only).
OFFSETS = "offsets"


class Backbone(enum.Enum):
    """The architecture family of a model's feature extractor (its encoder-decoder).

    Values are the block names the training configs use. ``UNET``, ``CONVNEXT`` and ``SWINT``
    are rebuilt as networks by pose (from sleap-nn or SLEAP ≤1.4 configs alike); the others exist
    only in SLEAP ≤1.4 and run on their original Keras graph (ADR-0072, ADR-0105).
    """

    UNET = "unet"
    CONVNEXT = "convnext"
    SWINT = "swint"
    LEAP = "leap"
    RESNET = "resnet"
    HOURGLASS = "hourglass"
    PRETRAINED_ENCODER = "pretrained_encoder"

    @property
    def keras_only(self) -> bool:
        """Whether only the Keras runtime runs it (pose does not rebuild this family)."""
        return self not in _REBUILT

    @property
    def label(self) -> str:
        """The name that logs, provenance and export metadata show: ``unet``, ``convnext``,
        ``swint`` or ``legacy:<name>`` for a Keras-only family."""
        return f"legacy:{self.value}" if self.keras_only else self.value

    @classmethod
    def from_label(cls, label: str) -> Backbone:
        """The inverse of :attr:`label`.

        Raises:
            ValueError: ``label`` names no backbone (or a Keras-only one without ``legacy:``).
        """
        name = label.removeprefix("legacy:")
        backbone = cls(name)
        if backbone.label != label:
            raise ValueError(f"{label!r} is not a backbone label (expected {backbone.label!r})")
        return backbone


_REBUILT = frozenset({Backbone.UNET, Backbone.CONVNEXT, Backbone.SWINT})


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
        backbone: The architecture family (``backbone.label`` is the name shown to users).
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
    backbone: Backbone = attrs.field(validator=attrs.validators.instance_of(Backbone))
    in_channels: int
    max_stride: int
    confmap_stride: int
    paf_stride: int | None = None
    class_map_stride: int | None = None
    classes: tuple[str, ...] = ()
    anchor_part: str | None = None
    preprocessing: Preprocessing = attrs.field(factory=Preprocessing)
    source_format: str = "sleap-nn"
