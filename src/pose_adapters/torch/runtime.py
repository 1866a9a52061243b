"""``NetworkRuntime`` on eager torch (fp32, eval mode, inference mode)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from pose_adapters._oom import as_out_of_memory, is_out_of_memory, release_torch_cache
from pose_app.model import ModelSpec
from pose_app.network_outputs import NetworkOutputs
from pose_domain.errors import (
    DeviceUnavailableError,
    InferenceError,
    InvalidOptionError,
    PoseError,
)


def resolve_device(device: str | None) -> Any:
    """Map ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``auto`` (cuda > mps > cpu) to a device.

    Raises:
        DeviceUnavailableError: The device is not present on this machine.
        InvalidOptionError: The string names no device.
    """
    import torch

    name = (device or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except RuntimeError as exc:
        raise InvalidOptionError(
            f"unknown device '{device}'", hint="use cpu, cuda, cuda:N, mps or auto"
        ) from exc
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceUnavailableError(
                f"device '{device}' requested but no CUDA GPU is available",
                hint="use --device cpu (or auto), or install a CUDA build of torch",
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise DeviceUnavailableError(
                f"device '{device}' requested but only {torch.cuda.device_count()} GPU(s) exist",
                hint=f"use cuda:0..cuda:{torch.cuda.device_count() - 1}",
            )
    elif dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceUnavailableError(
                f"device '{device}' requested but Apple MPS is not available",
                hint="use --device cpu or auto",
            )
    elif dev.type != "cpu":
        raise InvalidOptionError(
            f"unsupported device '{device}'", hint="use cpu, cuda, cuda:N, mps or auto"
        )
    return dev


def _configure_threads() -> None:
    """Honour ``POSE_NUM_THREADS``; otherwise keep torch's default (physical cores, or
    ``OMP_NUM_THREADS`` when set), which ``torch.get_num_threads()`` reports."""
    import torch

    n = os.environ.get("POSE_NUM_THREADS", "")
    if n.isdigit() and int(n) > 0 and torch.get_num_threads() != int(n):
        torch.set_num_threads(int(n))


class TorchRuntime:
    """Runs a network built by :func:`pose_adapters.torch.build_network` on a device.

    Args:
        module: The network (``forward`` takes float32 NCHW in ``[0, 1]``).
        spec: The model's spec (``in_channels`` is used for channel fixing).
        device: ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``auto``.
    """

    name = "torch"

    def __init__(self, module: Any, spec: ModelSpec, device: str = "cpu") -> None:
        import torch

        self.device = resolve_device(device)
        if self.device.type == "cpu":
            _configure_threads()
        self.spec = spec
        self.module = module.to(self.device).float().eval()
        self._torch = torch

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        """Run the network on a batch.

        Args:
            images: ``(B, C, H, W)`` uint8 (C = 1 or 3; fixed against ``spec.in_channels``),
                ``H``, ``W`` already padded to ``spec.max_stride``. Float input is accepted
                and scaled like the reference (``/255`` when its max exceeds 1).

        Returns:
            float32 ``confmaps``/``pafs``/``class_maps`` (``(B, ch, h, w)``) and
            ``class_vectors`` (``(B, n_classes)``), as the model type has them.
        """
        torch = self._torch
        if images.ndim != 4:
            raise InvalidOptionError(f"expected a (B, C, H, W) batch, got shape {images.shape}")
        from pose_adapters.torch.network import fix_channels

        try:
            with torch.inference_mode():
                x = torch.from_numpy(np.ascontiguousarray(images)).to(self.device)
                if not torch.is_floating_point(x):
                    x = x.float() / 255.0
                else:
                    x = x.float()
                    if x.numel() and float(x.max()) > 1.0:
                        x = x / 255.0
                x = fix_channels(x, self.spec.in_channels)
                out = self.module(x)
                return NetworkOutputs.from_named(
                    {k: v.detach().to("cpu", torch.float32).numpy() for k, v in out.items()})
        except PoseError:
            raise
        except (RuntimeError, ValueError, MemoryError) as exc:
            if is_out_of_memory(exc):  # BackoffRuntime retries smaller batches (ADR-0133)
                raise as_out_of_memory(exc, self.name, int(images.shape[0]),
                                       release_torch_cache) from exc
            msg = " ".join(str(exc).split())[:200]
            raise InferenceError(
                f"torch inference failed on a batch of shape {images.shape}: {msg}",
                hint="check the input size (padded to max_stride) or try --device cpu",
            ) from exc
