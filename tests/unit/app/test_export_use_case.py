"""ExportUseCase with a fake exporter: which models go together, their roles and order, the
overrides each model type takes, the engine builds and what the metadata records."""

from __future__ import annotations

import os

import pytest

from pose_app.export import ExportRequest, ExportUseCase
from pose_app.options_commands import ExportOptions
from pose_domain.errors import (
    IncompatibleModelsError,
    InputNotFoundError,
    InvalidOptionError,
    MissingExtraError,
)
from tests.fakes.export import FakeExporter, spec

SPECS = {
    "m/centroid": spec("centroid", "m/centroid"),
    "m/instance": spec("centered_instance", "m/instance"),
    "m/mc": spec("multi_class_topdown", "m/mc"),
    "m/bu": spec("bottomup", "m/bu"),
}


def run(*paths: str, **flags: object) -> tuple[FakeExporter, str]:
    fake = FakeExporter(dict(SPECS))
    result = ExportUseCase(fake).run(
        ExportRequest(model_paths=paths, options=ExportOptions(**flags))  # type: ignore[arg-type]
    )
    return fake, result.output_dir


def test_one_model_goes_to_model_onnx_in_its_exported_folder() -> None:
    fake, out = run("m/bu")
    assert out == os.path.join("m/bu", "exported")
    [net] = fake.folders[out]
    assert net.role == "model" and net.engine is None
    manifest = fake.manifests[out]
    assert manifest.model_type == "bottomup" and manifest.precision == "fp32"
    assert manifest.inference_defaults == {
        "peak_threshold": 0.2, "max_peaks_per_node": 20, "n_points": 10,
        "max_edge_length_ratio": 0.25, "dist_penalty_weight": 1.0, "max_instances": 20,
    }


def test_a_top_down_pair_exports_the_centroid_first_in_either_order() -> None:
    fake, out = run("m/instance", "m/centroid", output="x/td")
    assert out == os.path.join("x", "td")
    assert [n.role for n in fake.folders[out]] == ["centroid", "centered_instance"]
    assert fake.manifests[out].model_type == "topdown"
    _, default = run("m/centroid", "m/mc")
    assert default == os.path.join("m/centroid", "exported_multi_class_topdown")


def test_overrides_reach_only_the_model_types_that_take_them() -> None:
    fake, out = run("m/centroid", "m/instance", output="o", input_scale=0.5, crop_size=96)
    centroid, instance = fake.folders[out]
    assert centroid.spec.preprocessing.scale == 0.5
    assert centroid.spec.preprocessing.crop_size == 64
    assert instance.spec.preprocessing.scale == 1.0
    assert instance.spec.preprocessing.crop_size == 96


@pytest.mark.parametrize("paths", [("m/centroid", "m/centroid"), ("m/bu", "m/centroid"),
                                   ("m/bu", "m/instance", "m/centroid")])
def test_models_that_make_no_export_are_refused_before_any_is_converted(
    paths: tuple[str, ...],
) -> None:
    fake = FakeExporter(dict(SPECS))
    with pytest.raises(IncompatibleModelsError):
        ExportUseCase(fake).run(ExportRequest(model_paths=paths))
    assert fake.folders == {}


def test_no_model_or_a_missing_one_is_one_clear_error() -> None:
    with pytest.raises(InvalidOptionError, match="at least one model"):
        ExportUseCase(FakeExporter({})).run(ExportRequest(model_paths=()))
    with pytest.raises(InputNotFoundError):
        ExportUseCase(FakeExporter({})).run(ExportRequest(model_paths=("nope",)))


def test_tensorrt_builds_one_engine_per_network_and_tf32_builds_as_fp32() -> None:
    fake, out = run("m/centroid", "m/instance", output="o", format="both", precision="tf32",
                    max_batch_size=4)
    assert [n.engine and n.engine["precision"] for n in fake.folders[out]] == ["fp32", "fp32"]
    manifest = fake.manifests[out]
    assert manifest.precision == "fp32" and manifest.max_batch_size == 4
    assert [n.engine is not None for n in manifest.networks] == [True, True]


def test_tensorrt_missing_is_refused_before_any_conversion() -> None:
    fake = FakeExporter(dict(SPECS), engines=False)
    with pytest.raises(MissingExtraError):
        ExportUseCase(fake).run(ExportRequest(model_paths=("m/bu",),
                                              options=ExportOptions(format="tensorrt")))
    assert fake.folders == {}


def test_flag_values_are_validated() -> None:
    with pytest.raises(InvalidOptionError, match="--max-batch-size"):
        ExportOptions(max_batch_size=0)
    with pytest.raises(InvalidOptionError, match="--input-scale"):
        ExportOptions(input_scale=0)
    with pytest.raises(InvalidOptionError, match="--format"):
        ExportOptions(format="tflite")  # type: ignore[arg-type]
