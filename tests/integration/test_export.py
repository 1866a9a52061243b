"""``pose export``: self-contained folders that load back with the same network outputs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import attrs
import numpy as np
import pytest

torch = pytest.importorskip("torch")
network = pytest.importorskip("pose_adapters.torch.network")

from pose.bootstrap import build_export_use_case  # noqa: E402
from pose_adapters.export import is_export_dir, load_exported  # noqa: E402
from pose_app.export import ExportRequest  # noqa: E402
from pose_app.options_commands import ExportOptions  # noqa: E402
from pose_cli.main import main  # noqa: E402
from pose_domain.errors import IncompatibleModelsError, ModelLoadError  # noqa: E402

MODELS = Path(__file__).parents[1] / "data" / "models"
CENTROID = str(MODELS / "sleapnn" / "centroid")
INSTANCE = str(MODELS / "sleapnn" / "centered_instance")
BOTTOMUP = str(MODELS / "sleapnn" / "bottomup")
LEGACY_BU = str(MODELS / "legacy" / "minimal_instance.UNet.bottomup")


def export_models(paths: list[str], output: str, **flags: object) -> Path:
    """``pose export`` through the composition root (the real exporter)."""
    options = ExportOptions(output=output, **flags)  # type: ignore[arg-type]
    return Path(build_export_use_case().run(
        ExportRequest(model_paths=tuple(paths), options=options)).output_dir)


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    """One conversion cache for this module (never ~/.cache in tests)."""
    monkeypatch.setenv("POSE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pose-cache"))


def _check_outputs(spec, rt, model_path: str) -> None:
    ref_spec, net = network.build_network(model_path)
    assert attrs.evolve(spec, path="") == attrs.evolve(ref_spec, path=""), "spec round trip"
    s = spec.max_stride
    x = np.random.default_rng(0).integers(0, 256, (2, spec.in_channels, 6 * s, 4 * s),
                                          dtype=np.uint8)
    with torch.no_grad():
        want = {k: v.numpy() for k, v in net(torch.from_numpy(x).float() / 255).items()}
    got = rt.infer(x).named()
    assert set(got) == set(want)
    for k, w in want.items():
        np.testing.assert_allclose(got[k], w, atol=1e-4, rtol=0, err_msg=k)


@pytest.mark.slow
def test_single_model_folder_round_trips(tmp_path):
    out = export_models([BOTTOMUP], str(tmp_path / "exp"))
    assert is_export_dir(out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["export_metadata.json", "model.onnx", "model.training_config.yaml"]
    meta = json.loads((out / "export_metadata.json").read_text())
    assert meta["model_type"] == "bottomup"
    assert meta["input_dtype"] == "uint8" and meta["normalization"] == "0_to_1"
    assert meta["node_names"] == ["A", "B"] and meta["edge_inds"] == [[0, 1]]
    assert meta["output_names"] == [["confmaps", "pafs"]]
    assert meta["versions"]["opset"] == 17
    for runtime in ("onnx", "auto"):
        [(spec, rt)] = load_exported(out, runtime=runtime)
        assert spec.path == str(out)
        _check_outputs(spec, rt, BOTTOMUP)


@pytest.mark.slow
def test_topdown_pair_exports_both_networks_centroid_first(tmp_path):
    out = export_models([INSTANCE, CENTROID], str(tmp_path / "td"), input_scale=0.5)
    meta = json.loads((out / "export_metadata.json").read_text())
    assert meta["model_type"] == "topdown"
    assert [n["role"] for n in meta["networks"]] == ["centroid", "centered_instance"]
    assert (out / "centroid.onnx").is_file() and (out / "centered_instance.onnx").is_file()
    pairs = load_exported(out, runtime="onnx")
    assert [s.model_type for s, _ in pairs] == ["centroid", "centered_instance"]
    assert pairs[0][0].preprocessing.scale == 0.5  # override applies to the centroid stage
    assert pairs[1][0].preprocessing.scale == 1.0
    x = np.random.default_rng(1).integers(0, 256, (1, 1, 96, 96), dtype=np.uint8)
    _, net = network.build_network(INSTANCE)
    with torch.no_grad():
        want = net(torch.from_numpy(x).float() / 255)["confmaps"].numpy()
    np.testing.assert_allclose(pairs[1][1].infer(x).confmaps, want, atol=1e-4, rtol=0)


@pytest.mark.slow
def test_legacy_h5_model_exports_through_cli(tmp_path, capsys):
    out = tmp_path / "legacy"
    assert main(["export", LEGACY_BU, "-o", str(out), "--max-instances", "3"]) == 0
    meta = json.loads((out / "export_metadata.json").read_text())
    assert meta["max_instances"] == 3
    assert (out / "model.training_config.json").is_file()
    [(spec, rt)] = load_exported(out, runtime="onnx")
    assert spec.source_format == "sleap-legacy"
    _check_outputs(spec, rt, LEGACY_BU)


def test_incompatible_pairs_and_bad_folders_fail_in_one_line(tmp_path, capsys):
    with pytest.raises(IncompatibleModelsError):
        export_models([CENTROID, CENTROID], str(tmp_path / "x"))
    with pytest.raises(IncompatibleModelsError):
        export_models([BOTTOMUP, CENTROID], str(tmp_path / "x"))
    assert not (tmp_path / "x").exists(), "nothing written before validation"
    with pytest.raises(ModelLoadError, match="not a pose export folder"):
        load_exported(tmp_path)
    assert main(["export", CENTROID, CENTROID, "-o", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pose: error:") and err.count("\n") == 1


def test_tensorrt_export_without_gpu_or_package_is_refused(tmp_path, capsys):
    if importlib.util.find_spec("tensorrt") is not None and torch.cuda.is_available():
        pytest.skip("a GPU with TensorRT is present")
    rc = main(["export", CENTROID, "-o", str(tmp_path / "t"), "--format", "tensorrt"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "tensorrt" in err.lower() and err.count("\n") == 1


@pytest.mark.gpu
@pytest.mark.skipif(
    importlib.util.find_spec("tensorrt") is None or not torch.cuda.is_available(),
    reason="needs an NVIDIA GPU and the tensorrt package",
)
def test_tensorrt_export_matches_onnx(tmp_path):
    out = export_models([BOTTOMUP], str(tmp_path / "trt"), format="both", precision="fp32",
                        device="cuda")
    assert (out / "model.trt").is_file()
    [(_spec, trt_rt)] = load_exported(out, runtime="tensorrt", device="cuda")
    [(_, ort_rt)] = load_exported(out, runtime="onnx")
    x = np.random.default_rng(0).integers(0, 256, (4, 1, 384, 384), dtype=np.uint8)
    a, b = trt_rt.infer(x).named(), ort_rt.infer(x).named()
    for k in b:
        np.testing.assert_allclose(a[k], b[k], atol=1e-3, rtol=0)
