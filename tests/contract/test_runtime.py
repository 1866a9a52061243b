"""NetworkRuntime contract: typed outputs, their shapes and dtypes on torch, ONNX Runtime,
OpenVINO and the fake, for small shipped models (ADR-0120)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.network_outputs import NetworkOutputs
from pose_app.ports.models import LoadedModel
from tests.contract._models import PAIRS, RUNTIMES, loaded

#: What the heads of each model type are (``offsets``: SLEAP 1.4 Keras models only).
HEADS = {
    "single_instance": {"confmaps"}, "centroid": {"confmaps"}, "centered_instance": {"confmaps"},
    "bottomup": {"confmaps", "pafs"}, "multi_class_bottomup": {"confmaps", "class_maps"},
    "multi_class_topdown": {"confmaps", "class_vectors"},
}


def _batch(b: int, c: int, h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (b, c, h, w), dtype=np.uint8)


def _infer(m: LoadedModel, images: np.ndarray) -> NetworkOutputs:
    out = m.runtime.infer(images)
    assert isinstance(out, NetworkOutputs)  # a checkpoint's network returns its heads' maps
    return out


@pytest.mark.parametrize(("kind", "model"), PAIRS)
def test_outputs_have_the_documented_keys_shapes_and_dtypes(kind: str, model: str) -> None:
    m = loaded(kind, model)
    spec, rt = m.spec, m.runtime
    assert isinstance(rt.name, str) and rt.name
    if kind != "fake":
        assert rt.name == kind
    s = spec.max_stride
    for b, h, w in [(2, 8 * s, 12 * s), (1, 16 * s, 8 * s), (0, 8 * s, 8 * s)]:
        out = _infer(m, _batch(b, spec.in_channels, h, w))
        assert set(out.named()) == HEADS[spec.model_type]
        for key, arr in out.named().items():
            assert arr.dtype == np.float32, key
            assert arr.shape[0] == b, key
            assert np.isfinite(arr).all(), key
        cs = spec.confmap_stride
        assert out.confmaps.shape == (b, spec.skeleton.n_nodes, h // cs, w // cs)
        if spec.model_type == "bottomup":
            ps = spec.paf_stride or cs
            assert out.pafs is not None
            assert out.pafs.shape == (b, 2 * len(spec.skeleton.edges), h // ps, w // ps)


@pytest.mark.parametrize("kind", RUNTIMES)
def test_images_of_a_batch_are_independent_and_results_repeatable(kind: str) -> None:
    m = loaded(kind, "single_instance")
    s = m.spec.max_stride
    images = _batch(3, m.spec.in_channels, 8 * s, 8 * s, seed=1)
    whole = _infer(m, images).confmaps
    one = _infer(m, np.ascontiguousarray(images[1:2])).confmaps
    np.testing.assert_allclose(one[0], whole[1], atol=1e-5, rtol=0)
    np.testing.assert_array_equal(_infer(m, images).confmaps, whole)


@pytest.mark.parametrize("kind", RUNTIMES)
def test_the_other_channel_count_is_fixed_inside(kind: str) -> None:
    """A grayscale batch for an RGB network (and vice versa) gives the same shapes."""
    m = loaded(kind, "single_instance")
    s = m.spec.max_stride
    other = 1 if m.spec.in_channels == 3 else 3
    want = _infer(m, _batch(2, m.spec.in_channels, 8 * s, 8 * s)).named()
    got = _infer(m, _batch(2, other, 8 * s, 8 * s)).named()
    assert {k: v.shape for k, v in got.items()} == {k: v.shape for k, v in want.items()}
