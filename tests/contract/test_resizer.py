"""ImageResizer contract: ``TorchResizer`` (antialiased bilinear) and ``NearestResizer``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pose_app.ports.runtime import ImageResizer
from tests.fakes import NearestResizer


def _torch() -> ImageResizer:
    pytest.importorskip("torch")
    from pose_adapters.torch.resize import TorchResizer

    return TorchResizer()


RESIZERS: dict[str, Callable[[], ImageResizer]] = {"fake": NearestResizer, "torch": _torch}


@pytest.fixture(params=sorted(RESIZERS))
def resizer(request: pytest.FixtureRequest) -> ImageResizer:
    return RESIZERS[request.param]()


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize(("height", "width"), [(24, 40), (96, 64), (48, 48), (1, 1)])
def test_shape_dtype_and_channels(resizer: ImageResizer, channels: int, height: int,
                                  width: int) -> None:
    images = np.random.default_rng(0).integers(0, 256, (2, 48, 48, channels), dtype=np.uint8)
    out = resizer.resize(images, height, width)
    assert out.shape == (2, height, width, channels) and out.dtype == np.uint8


def test_same_size_keeps_the_pixels(resizer: ImageResizer) -> None:
    images = np.random.default_rng(1).integers(0, 256, (3, 20, 30, 1), dtype=np.uint8)
    np.testing.assert_array_equal(resizer.resize(images, 20, 30), images)


def test_flat_images_stay_flat_and_images_stay_apart(resizer: ImageResizer) -> None:
    images = np.stack([np.full((30, 50, 3), v, np.uint8) for v in (0, 77, 255)])
    out = resizer.resize(images, 17, 23)
    for i, v in enumerate((0, 77, 255)):
        assert (out[i] == v).all()


def test_an_empty_batch(resizer: ImageResizer) -> None:
    out = resizer.resize(np.zeros((0, 10, 10, 1), np.uint8), 5, 6)
    assert out.shape == (0, 5, 6, 1) and out.dtype == np.uint8
