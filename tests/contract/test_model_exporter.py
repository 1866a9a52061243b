"""ModelExporter contract: ``OnnxFolderExporter`` and ``FakeExporter`` (ADR-0120, ADR-0152)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pose_app.ports.export import ExportManifest, ModelExporter, NetworkExport
from pose_domain.errors import InputNotFoundError, ModelLoadError
from tests.conftest import MODELS
from tests.fakes.export import FakeExporter, spec

SINGLE = str(MODELS / "sleapnn" / "single_instance")


def _exporter(kind: str, cache: Path) -> ModelExporter:
    if kind == "fake":
        return FakeExporter({SINGLE: spec("single_instance", SINGLE)})
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch not installed")
    from pose_adapters.export.writer import OnnxFolderExporter

    return OnnxFolderExporter(cache_dir=str(cache))


@pytest.fixture(params=["fake", "real"])
def exporter(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> ModelExporter:
    return _exporter(request.param, tmp_path_factory.getbasetemp() / "pose-cache")


def test_a_network_is_exported_under_its_role_with_the_overrides(
    exporter: ModelExporter, tmp_path: Path,
) -> None:
    assert exporter.read_spec(SINGLE).model_type == "single_instance"
    net = exporter.export_network(NetworkExport(model_path=SINGLE, role="model",
                                                input_scale=0.5),
                                  str(tmp_path / "out"), opset=17, verify=False)
    assert net.role == "model" and net.engine is None
    assert net.spec.preprocessing.scale == 0.5
    assert net.output_names and all(isinstance(k, str) for k in net.output_names)
    exporter.write_metadata(str(tmp_path / "out"), ExportManifest(
        model_type="single_instance", export_format="onnx", networks=(net,), max_instances=1,
        max_batch_size=8, precision="fp32", opset=17, inference_defaults={},
    ))


def test_a_missing_model_is_an_input_error(exporter: ModelExporter, tmp_path: Path) -> None:
    with pytest.raises((InputNotFoundError, ModelLoadError)):
        exporter.read_spec(str(tmp_path / "nope"))
