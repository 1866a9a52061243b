"""``ModelSpec`` as JSON at the edges keeps the backbone's label (ADR-0105): export metadata
and conversion-cache keys read exactly as before the backbone was typed."""

from __future__ import annotations

import json

import attrs
import pytest

from pose_adapters.model_config import load_model_spec
from pose_adapters.serialization import spec_from_dict, spec_to_dict
from pose_app.model import Backbone
from tests.conftest import DATA


@pytest.mark.parametrize("name", ["sleapnn/centroid", "sleapnn/convnext_single_instance",
                                  "legacy/minimal_instance.UNet.bottomup"])
def test_spec_round_trips_with_the_backbone_label(name: str) -> None:
    spec = load_model_spec(DATA / "models" / name)
    d = spec_to_dict(spec)
    assert d["backbone"] == spec.backbone.label
    assert json.loads(json.dumps(d)) == d
    assert spec_from_dict(d, spec.path) == spec


def test_keras_only_label_round_trips() -> None:
    spec = attrs.evolve(load_model_spec(DATA / "models" / "sleapnn" / "centroid"),
                        backbone=Backbone.HOURGLASS)
    d = spec_to_dict(spec)
    assert d["backbone"] == "legacy:hourglass"
    assert spec_from_dict(d, spec.path).backbone is Backbone.HOURGLASS


def test_unknown_backbone_label_is_refused() -> None:
    d = spec_to_dict(load_model_spec(DATA / "models" / "sleapnn" / "centroid"))
    with pytest.raises(ValueError, match="vgg"):
        spec_from_dict({**d, "backbone": "vgg"}, "x")
