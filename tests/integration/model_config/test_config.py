"""Model folders → ModelSpec (no weights)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pose_adapters.model_config import load_model_config, load_model_spec
from pose_app.model import Backbone
from pose_domain.errors import InputNotFoundError, ModelLoadError

MODELS = Path(__file__).parents[2] / "data" / "models"

# name: (model_type, in_channels, max_stride, confmap_stride, paf_stride, class_map_stride,
#        classes, anchor_part, nodes)
SLEAPNN = {
    "single_instance": ("single_instance", 3, 4, 4, None, None, (), None),
    "centroid": ("centroid", 1, 8, 4, None, None, (), None),
    "centered_instance": ("centered_instance", 1, 8, 2, None, None, (), None),
    "bottomup": ("bottomup", 1, 8, 2, 4, None, (), None),
    "multiclass_bottomup": ("multi_class_bottomup", 1, 16, 2, None, 2, ("female", "male"), None),
    "multiclass_centered_instance": (
        "multi_class_topdown",
        1,
        16,
        2,
        None,
        None,
        ("female", "male"),
        "A",
    ),
}
LEGACY = {
    "minimal_instance.UNet.bottomup": ("bottomup", 1, 8, 2, 4, None, (), None),
    "minimal_instance.UNet.centered_instance": ("centered_instance", 1, 8, 2, None, None, (), None),
    "minimal_instance.UNet.centroid": ("centroid", 1, 8, 4, None, None, (), None),
    "minimal_robot.UNet.single_instance": ("single_instance", 3, 4, 4, None, None, (), None),
    "min_tracks_2node.UNet.bottomup_multiclass": (
        "multi_class_bottomup",
        1,
        16,
        2,
        None,
        2,
        ("female", "male"),
        None,
    ),
    "min_tracks_2node.UNet.topdown_multiclass": (
        "multi_class_topdown",
        1,
        16,
        2,
        None,
        None,
        ("female", "male"),
        "thorax",
    ),
}


def _check(spec, expected) -> None:
    mtype, in_ch, max_s, cm_s, paf_s, cls_s, classes, anchor = expected
    assert spec.model_type == mtype
    assert spec.in_channels == in_ch
    assert spec.max_stride == max_s
    assert spec.confmap_stride == cm_s
    assert spec.paf_stride == paf_s
    assert spec.class_map_stride == cls_s
    assert spec.classes == classes
    assert spec.anchor_part == anchor
    assert spec.backbone is Backbone.UNET


@pytest.mark.parametrize("name", sorted(SLEAPNN))
def test_sleapnn_spec(name: str) -> None:
    spec = load_model_spec(MODELS / "sleapnn" / name)
    _check(spec, SLEAPNN[name])
    assert spec.source_format == "sleap-nn"
    assert spec.skeleton.nodes == ("A", "B")
    assert spec.skeleton.edges == ((0, 1),)


@pytest.mark.parametrize("name", sorted(LEGACY))
def test_legacy_spec(name: str) -> None:
    spec = load_model_spec(MODELS / "legacy" / name)
    _check(spec, LEGACY[name])
    assert spec.source_format == "sleap-legacy"


def test_legacy_jsonpickle_skeleton_resolves_py_id_order() -> None:
    # nodes are listed as [py/id 2, py/id 1]: head (2nd object), thorax (1st); edge thorax→head
    spec = load_model_spec(MODELS / "legacy" / "min_tracks_2node.UNet.topdown_multiclass")
    assert spec.skeleton.nodes == ("head", "thorax")
    assert spec.skeleton.edge_names == [("thorax", "head")]


def test_sleapnn_preprocessing() -> None:
    spec = load_model_spec(MODELS / "sleapnn" / "multiclass_centered_instance")
    assert spec.preprocessing.max_height == 384
    assert spec.preprocessing.crop_size == 128
    assert spec.preprocessing.scale == 1.0


def test_legacy_preprocessing_mapping() -> None:
    pre = load_model_spec(MODELS / "legacy" / "minimal_robot.UNet.single_instance").preprocessing
    assert pre.scale == 0.5
    assert pre.max_height is None
    ci = load_model_spec(MODELS / "legacy" / "minimal_instance.UNet.centered_instance")
    assert ci.preprocessing.crop_size == 96


def test_convnext_stride_is_stem_times_16() -> None:
    cfg = load_model_config(MODELS / "sleapnn" / "convnext_single_instance")
    assert cfg.spec.backbone is Backbone.CONVNEXT
    assert cfg.spec.max_stride == 32
    assert cfg.backbone_config["output_stride"] == 2
    assert cfg.spec.in_channels == 3


@pytest.mark.parametrize("rel", ["best.ckpt", "training_config.yaml", "last.ckpt", "."])
def test_path_resolution(rel: str, tmp_path: Path) -> None:
    folder = MODELS / "sleapnn" / "centroid"
    path = folder / rel
    if rel == "last.ckpt":
        shutil.copytree(folder, tmp_path / "m")
        (tmp_path / "m" / "last.ckpt").write_bytes(b"")
        path = tmp_path / "m" / "last.ckpt"
    cfg = load_model_config(path)
    assert cfg.weights_path.name == "best.ckpt"
    assert cfg.spec.model_type == "centroid"


def test_json_path_is_legacy() -> None:
    cfg = load_model_config(
        MODELS / "legacy" / "minimal_instance.UNet.centroid" / "training_config.json"
    )
    assert cfg.weights_path.name == "best_model.h5"


def test_missing_path() -> None:
    with pytest.raises(InputNotFoundError, match="does not exist"):
        load_model_spec("/nonexistent/model")


def test_folder_without_config(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no training_config"):
        load_model_spec(tmp_path)


def test_missing_checkpoint(tmp_path: Path) -> None:
    shutil.copy(MODELS / "sleapnn" / "centroid" / "training_config.yaml", tmp_path)
    with pytest.raises(ModelLoadError, match=r"no best\.ckpt"):
        load_model_spec(tmp_path)


def test_unknown_model_type(tmp_path: Path) -> None:
    text = (MODELS / "sleapnn" / "centroid" / "training_config.yaml").read_text()
    text = text.replace("    centroid:\n", "    semantic_segmentation:\n", 1)
    (tmp_path / "training_config.yaml").write_text(text)
    (tmp_path / "best.ckpt").write_bytes(b"")
    with pytest.raises(ModelLoadError, match="semantic_segmentation") as info:
        load_model_spec(tmp_path)
    line = info.value.one_line()
    assert "supported model types" in line and "centroid" in line and "\n" not in line


def test_invalid_yaml(tmp_path: Path) -> None:
    (tmp_path / "training_config.yaml").write_text("a: [1, 2\n")
    with pytest.raises(ModelLoadError, match="not valid YAML"):
        load_model_spec(tmp_path)
