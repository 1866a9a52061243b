"""Torch adapter: sleap-nn checkpoints and SLEAP ≤1.4 ``.h5`` UNets as torch modules.

Public API (torch is imported lazily, so importing this package is cheap; the model configs are
read by :mod:`pose_adapters.model_config`):

* ``build_network(model_path, *, backbone_ckpt_path=None, head_ckpt_path=None)
  -> (ModelSpec, torch.nn.Module)``.
* ``TorchRuntime(module, spec, device="cpu")`` — ``NetworkRuntime`` port.
* ``TorchResizer()`` — ``ImageResizer`` port (bit-identical to torchvision's antialiased
  bilinear resize of uint8 images).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pose_adapters.torch.network import build_network
    from pose_adapters.torch.resize import TorchResizer
    from pose_adapters.torch.runtime import TorchRuntime

__all__ = ["TorchResizer", "TorchRuntime", "build_network"]


def __getattr__(name: str) -> Any:
    if name == "build_network":
        from pose_adapters.torch.network import build_network

        return build_network
    if name == "TorchRuntime":
        from pose_adapters.torch.runtime import TorchRuntime

        return TorchRuntime
    if name == "TorchResizer":
        from pose_adapters.torch.resize import TorchResizer

        return TorchResizer
    raise AttributeError(name)
