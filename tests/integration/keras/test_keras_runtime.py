"""The Keras runtime against the TensorFlow activations stored with every legacy test model,
the Lambda refusal on a real crafted ``.h5``, and loader dispatch (needs ``pose[legacy]``)."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

pytest.importorskip("tf_keras")

from pose_adapters.keras.runtime import KerasRuntime
from pose_adapters.model_config import load_model_spec
from pose_adapters.models import ModelFolderLoader
from pose_app.model import Backbone
from pose_app.options import InferenceOptions
from pose_domain.errors import InvalidOptionError, UnsafeModelFileError

from .builders import lambda_model, leap_brightness_model

LEGACY = Path(__file__).parents[2] / "data" / "models" / "legacy"
NAMES = sorted(p.name for p in LEGACY.iterdir())
#: Max abs deviation allowed from the stored TF 2.9 activations. One model is float32
#: ill-conditioned: its stored activations are themselves 1.1e-5 from a float64 run of the
#: same graph, and TF 2.21 lands 1.8e-5 from them (ADR-0070).
TOLERANCE = {"min_tracks_2node.UNet.bottomup_multiclass": 3e-5}


def _activations(folder: Path) -> tuple[tuple[int, ...], dict[str, np.ndarray]]:
    with h5py.File(folder / "dummy_activations.h5", "r") as f:
        meta = json.loads(f["metadata"][()])
        acts = {k: f[k][()] for k in f if k != "metadata"}
    return tuple(meta["input_shape"]), acts


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_keras_outputs_match_tensorflow_activations(name: str) -> None:
    folder = LEGACY / name
    rt = KerasRuntime(folder, load_model_spec(folder), use_offsets=True)
    shape, acts = _activations(folder)
    outs = dict(zip(rt.output_names, rt.run_nhwc(np.zeros(shape, np.float32)), strict=True))
    assert set(outs) == set(acts)
    devs = {k: float(np.abs(outs[k] - acts[k]).max()) for k in acts}
    assert max(devs.values()) <= TOLERANCE.get(name, 1e-5), devs
    # infer(): uint8 NCHW in, NCHW out under the shared keys (zeros stay zeros after /255).
    n, h, w, c = shape
    res = rt.infer(np.zeros((n, c, h, w), np.uint8))
    for key, arr in res.named().items():
        ref = next(v for k, v in acts.items() if _key(k) == key)
        want = ref.transpose(0, 3, 1, 2) if ref.ndim == 4 else ref
        np.testing.assert_allclose(arr, want, atol=TOLERANCE.get(name, 1e-5))


def _key(layer: str) -> str | None:
    from pose_adapters.keras.graph import output_key

    return output_key(layer)


def test_offsets_only_when_asked_and_empty_batches() -> None:
    folder = LEGACY / "minimal_instance.UNet.centroid"
    spec = load_model_spec(folder)
    plain = KerasRuntime(folder, spec)
    x = np.zeros((2, 1, 64, 64), np.uint8)
    assert set(plain.infer(x).named()) == {"confmaps"}
    res = KerasRuntime(folder, spec, use_offsets=True).infer(x)
    assert res.offsets is not None and res.offsets.shape == (2, 2, 16, 16)  # output stride 4
    empty = plain.infer(np.zeros((0, 1, 64, 64), np.uint8))
    assert empty.confmaps.shape == (0, 1, 16, 16)


def test_rgb_input_is_converted_for_a_grayscale_graph() -> None:
    folder = LEGACY / "minimal_instance.UNet.centroid"
    rt = KerasRuntime(folder, load_model_spec(folder))
    gray = np.full((1, 1, 32, 32), 200, np.uint8)
    rgb = np.repeat(gray, 3, axis=1)
    np.testing.assert_allclose(rt.infer(rgb).confmaps, rt.infer(gray).confmaps,
                               atol=1e-4)


def test_lambda_h5_is_refused_and_its_code_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "lambda_ran"
    path = lambda_model(tmp_path / "best_model.h5", marker)
    marker.unlink(missing_ok=True)  # building the model called the Lambda once
    spec = load_model_spec(LEGACY / "minimal_robot.UNet.single_instance")
    with pytest.raises(UnsafeModelFileError, match="Lambda") as exc:
        KerasRuntime(path, spec)
    assert "\n" not in str(exc.value)
    assert not marker.exists()
    # The payload is live: a plain Keras load of the same file runs it.
    import tf_keras

    tf_keras.models.load_model(str(path), compile=False)
    assert marker.exists()


def test_auto_runtime_routes_only_non_unet_legacy_models_to_keras(tmp_path: Path) -> None:
    folder = leap_brightness_model(tmp_path / "leap")
    loader = ModelFolderLoader(cache_dir=str(tmp_path / "cache"))
    (m,) = loader.load(str(folder), InferenceOptions(device="cpu"))
    assert m.runtime.name == "keras"
    assert m.spec.backbone is Backbone.LEAP
    (u,) = loader.load(str(LEGACY / "minimal_robot.UNet.single_instance"),
                       InferenceOptions(device="cpu", runtime="keras"))
    assert u.runtime.name == "keras"
    with pytest.raises(InvalidOptionError, match="only on the Keras runtime"):
        loader.load(str(folder), InferenceOptions(device="cpu", runtime="torch"))
