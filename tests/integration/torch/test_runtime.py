"""TorchRuntime: uint8 in, float32 out, channel fixing, devices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from pose_adapters.torch import TorchRuntime, build_network
from pose_adapters.torch.runtime import resolve_device
from pose_app.network_outputs import NetworkOutputs
from pose_app.ports.runtime import NetworkRuntime
from pose_domain.errors import DeviceUnavailableError, InvalidOptionError

MODELS = Path(__file__).parents[2] / "data" / "models" / "sleapnn"


@pytest.fixture(scope="module")
def bottomup():
    return build_network(str(MODELS / "bottomup"))


def test_infer_matches_module_on_scaled_input(bottomup) -> None:
    spec, net = bottomup
    rt: NetworkRuntime = TorchRuntime(net, spec, device="cpu")
    assert rt.name == "torch"
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (2, 1, 64, 96), dtype=np.uint8)
    out = rt.infer(images)
    assert isinstance(out, NetworkOutputs)
    assert set(out.named()) == {"confmaps", "pafs"}
    assert out.confmaps.dtype == np.float32 and out.confmaps.shape == (2, 2, 32, 48)
    assert out.pafs is not None and out.pafs.shape == (2, 2, 16, 24)
    with torch.no_grad():
        ref = net(torch.from_numpy(images).float() / 255.0)
    np.testing.assert_array_equal(out.confmaps, ref["confmaps"].numpy())


def test_rgb_input_to_grayscale_model(bottomup) -> None:
    spec, net = bottomup
    rt = TorchRuntime(net, spec)
    rgb = np.random.default_rng(1).integers(0, 256, (1, 3, 32, 32), dtype=np.uint8)
    out = rt.infer(rgb)
    assert out.confmaps.shape == (1, 2, 16, 16)


def test_gray_input_to_rgb_model() -> None:
    spec, net = build_network(str(MODELS / "single_instance"))
    assert spec.in_channels == 3
    rt = TorchRuntime(net, spec)
    gray = np.full((1, 1, 16, 16), 77, np.uint8)
    np.testing.assert_array_equal(
        rt.infer(gray).confmaps, rt.infer(np.repeat(gray, 3, axis=1)).confmaps
    )


def test_bad_rank(bottomup) -> None:
    spec, net = bottomup
    with pytest.raises(InvalidOptionError):
        TorchRuntime(net, spec).infer(np.zeros((8, 8), np.uint8))


def test_devices() -> None:
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in {"cpu", "cuda", "mps"}
    with pytest.raises(InvalidOptionError):
        resolve_device("tpu-9000")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_cuda_without_gpu_is_device_unavailable(bottomup) -> None:
    spec, net = bottomup
    with pytest.raises(DeviceUnavailableError, match="cuda") as info:
        TorchRuntime(net, spec, device="cuda:0")
    assert info.value.hint and "cpu" in info.value.hint


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU")
def test_cuda_matches_cpu(bottomup) -> None:
    spec, net = bottomup
    images = np.random.default_rng(2).integers(0, 256, (2, 1, 64, 64), dtype=np.uint8)
    cpu = TorchRuntime(net, spec, "cpu").infer(images).named()
    cuda = TorchRuntime(build_network(str(MODELS / "bottomup"))[1], spec, "cuda")
    gpu = cuda.infer(images).named()
    for k in cpu:
        np.testing.assert_allclose(gpu[k], cpu[k], atol=1e-3)
