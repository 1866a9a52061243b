"""The typed backbone of ``ModelSpec`` (ADR-0105): which families pose rebuilds, and the label
that logs, provenance and export metadata keep showing."""

from __future__ import annotations

import pytest

from pose_app.model import Backbone, ModelSpec
from pose_domain.skeleton import Skeleton


@pytest.mark.parametrize(
    ("backbone", "label", "keras_only"),
    [
        (Backbone.UNET, "unet", False),
        (Backbone.CONVNEXT, "convnext", False),
        (Backbone.SWINT, "swint", False),
        (Backbone.LEAP, "legacy:leap", True),
        (Backbone.RESNET, "legacy:resnet", True),
        (Backbone.HOURGLASS, "legacy:hourglass", True),
        (Backbone.PRETRAINED_ENCODER, "legacy:pretrained_encoder", True),
    ],
)
def test_label_and_runtime_follow_the_family(backbone, label, keras_only) -> None:
    assert backbone.label == label
    assert backbone.keras_only is keras_only
    assert Backbone.from_label(label) is backbone


@pytest.mark.parametrize("label", ["leap", "legacy:unet", "legacy:", "vgg", ""])
def test_from_label_refuses_other_names(label: str) -> None:
    with pytest.raises(ValueError):
        Backbone.from_label(label)


def test_spec_refuses_a_string_backbone() -> None:
    with pytest.raises(TypeError):
        ModelSpec(path="m", model_type="centroid", skeleton=Skeleton(nodes=["a"]),
                  backbone="unet", in_channels=1, max_stride=16,  # type: ignore[arg-type]
                  confmap_stride=2)
