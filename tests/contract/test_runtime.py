"""NetworkRuntime contract: output keys, shapes and dtypes on torch, ONNX Runtime, OpenVINO and
the fake, for small shipped models (ADR-0120)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.model import CLASS_MAPS, CLASS_VECTORS, CONFMAPS, PAFS
from tests.contract._models import PAIRS, RUNTIMES, loaded

KEYS = {CONFMAPS, PAFS, CLASS_MAPS, CLASS_VECTORS}


def _batch(b: int, c: int, h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (b, c, h, w), dtype=np.uint8)


@pytest.mark.parametrize(("kind", "model"), PAIRS)
def test_outputs_have_the_documented_keys_shapes_and_dtypes(kind: str, model: str) -> None:
    m = loaded(kind, model)
    spec, rt = m.spec, m.runtime
    assert isinstance(rt.name, str) and rt.name
    if kind != "fake":
        assert rt.name == kind
    s = spec.max_stride
    for b, h, w in [(2, 8 * s, 12 * s), (1, 16 * s, 8 * s), (0, 8 * s, 8 * s)]:
        out = rt.infer(_batch(b, spec.in_channels, h, w))
        assert CONFMAPS in out and set(out) <= KEYS
        for key, arr in out.items():
            assert arr.dtype == np.float32, key
            assert arr.shape[0] == b, key
            assert np.isfinite(arr).all(), key
        cs = spec.confmap_stride
        assert out[CONFMAPS].shape == (b, spec.skeleton.n_nodes, h // cs, w // cs)
        if spec.model_type == "bottomup":
            ps = spec.paf_stride or cs
            assert out[PAFS].shape == (b, 2 * len(spec.skeleton.edges), h // ps, w // ps)


@pytest.mark.parametrize("kind", RUNTIMES)
def test_images_of_a_batch_are_independent_and_results_repeatable(kind: str) -> None:
    m = loaded(kind, "single_instance")
    s = m.spec.max_stride
    images = _batch(3, m.spec.in_channels, 8 * s, 8 * s, seed=1)
    whole = m.runtime.infer(images)[CONFMAPS]
    one = m.runtime.infer(np.ascontiguousarray(images[1:2]))[CONFMAPS]
    np.testing.assert_allclose(one[0], whole[1], atol=1e-5, rtol=0)
    np.testing.assert_array_equal(m.runtime.infer(images)[CONFMAPS], whole)


@pytest.mark.parametrize("kind", RUNTIMES)
def test_the_other_channel_count_is_fixed_inside(kind: str) -> None:
    """A grayscale batch for an RGB network (and vice versa) gives the same shapes."""
    m = loaded(kind, "single_instance")
    s = m.spec.max_stride
    other = 1 if m.spec.in_channels == 3 else 3
    want = m.runtime.infer(_batch(2, m.spec.in_channels, 8 * s, 8 * s))
    got = m.runtime.infer(_batch(2, other, 8 * s, 8 * s))
    assert {k: v.shape for k, v in got.items()} == {k: v.shape for k, v in want.items()}
