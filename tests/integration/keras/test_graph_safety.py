"""The Keras graph is vetted as JSON before TensorFlow sees it (ADR-0071): no TF needed here."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest

from pose_adapters.keras.graph import (
    check_safe,
    input_shape,
    output_key,
    read_model_config,
)
from pose_domain.errors import ModelLoadError, UnsafeModelFileError

LEGACY = Path(__file__).parents[2] / "data" / "models" / "legacy"


def _model(*layers: dict) -> dict:
    base = [{"class_name": "InputLayer",
             "config": {"name": "input", "batch_input_shape": [None, None, None, 3]}}]
    return {"class_name": "Functional", "config": {"layers": base + list(layers)}}


def _layer(cls: str, **config: object) -> dict:
    return {"class_name": cls, "config": {"name": cls.lower(), **config}}


@pytest.mark.parametrize("name", sorted(p.name for p in LEGACY.iterdir()))
def test_every_sleap_model_passes_and_has_an_image_input(name: str) -> None:
    cfg = read_model_config(LEGACY / name / "best_model.h5")
    check_safe(cfg, name)
    assert input_shape(cfg)[3] in (1, 3)


@pytest.mark.parametrize("cls", ["Lambda", "TFOpLambda", "SlicingOpLambda"])
def test_code_layers_are_refused(cls: str) -> None:
    with pytest.raises(UnsafeModelFileError, match=cls):
        check_safe(_model(_layer(cls, function="4wEAAAA=", function_type="lambda")), "m.h5")


def test_lambda_nested_in_a_submodel_is_refused() -> None:
    inner = _model(_layer("Lambda", function="x"))
    inner["config"]["name"] = "encoder"
    with pytest.raises(UnsafeModelFileError):
        check_safe(_model(inner), "m.h5")


def test_custom_layer_class_is_refused_with_a_one_line_error() -> None:
    with pytest.raises(ModelLoadError, match="MyLayer") as exc:
        check_safe(_model(_layer("MyLayer")), "m.h5")
    assert "\n" not in str(exc.value)


def test_serialised_function_in_a_safe_layer_and_callable_activation_are_refused() -> None:
    with pytest.raises(UnsafeModelFileError):
        check_safe(_model(_layer("Conv2D", extra={"function": "x"})), "m.h5")
    with pytest.raises(UnsafeModelFileError):
        check_safe(_model(_layer("Conv2D", activation={"class_name": "function"})), "m.h5")


def test_built_in_layers_pass() -> None:
    check_safe(_model(_layer("Conv2D", activation="relu"), _layer("BatchNormalization"),
                      _layer("Add"), _layer("UpSampling2D", interpolation="bilinear")), "m.h5")


def test_weights_only_file_is_a_model_load_error(tmp_path: Path) -> None:
    p = tmp_path / "w.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("x", data=[1])
    with pytest.raises(ModelLoadError, match="weights only"):
        read_model_config(p)
    (tmp_path / "bad.h5").write_bytes(b"not hdf5")
    with pytest.raises(ModelLoadError, match="HDF5"):
        read_model_config(tmp_path / "bad.h5")
    with h5py.File(tmp_path / "j.h5", "w") as f:
        f.attrs["model_config"] = json.dumps([1, 2])
    with pytest.raises(ModelLoadError):
        read_model_config(tmp_path / "j.h5")


@pytest.mark.parametrize(("layer", "key"), [
    ("SingleInstanceConfmapsHead_0", "confmaps"),
    ("CentroidConfmapsHead", "confmaps"),
    ("CenteredInstanceConfmapsHead_0", "confmaps"),
    ("MultiInstanceConfmapsHead_0", "confmaps"),
    ("PartAffinityFieldsHead_0", "pafs"),
    ("ClassMapsHead_0", "class_maps"),
    ("ClassVectorsHead", "class_vectors"),
    ("OffsetRefinementHead_0", "offsets"),
    ("stack0_dec0_conv0", None),
])
def test_head_names_map_to_runtime_keys(layer: str, key: str | None) -> None:
    assert output_key(layer) == key
