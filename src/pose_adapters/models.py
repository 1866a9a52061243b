"""Model loading: a model folder (sleap-nn, SLEAP legacy or a ``pose export`` folder) → spec +
the fastest runtime that gives parity-level predictions (ADR-0050).

Runtime choice for ``--runtime auto``: TensorRT/ONNX Runtime on CUDA, else OpenVINO, else ONNX
Runtime, else eager torch. Conversions are cached (``pose_adapters.accel``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_domain.errors import InputNotFoundError, InvalidOptionError, PoseError

log = logging.getLogger("pose")

RUNTIMES = ("auto", "torch", "onnx", "openvino", "tensorrt")


def is_export_dir(path: str) -> bool:
    return os.path.isdir(path) and os.path.exists(os.path.join(path, "export_metadata.json"))


class ModelFolderLoader:
    """:class:`pose_app.ports.models.ModelLoader` for every model folder kind."""

    def __init__(self, cache_dir: str | None = None) -> None:
        self.cache_dir = cache_dir

    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        if not os.path.exists(path):
            raise InputNotFoundError(f"model not found: {path}",
                                     hint="give a model folder, best.ckpt or training_config")
        runtime = options.runtime
        if runtime not in RUNTIMES:
            raise InvalidOptionError(
                f"--runtime must be one of {', '.join(RUNTIMES)}, got '{runtime}'"
            )
        if is_export_dir(path):
            from pose_adapters.export import load_exported

            loaded = load_exported(path, runtime=runtime, device=options.device,
                                   precision=options.precision)
            return [LoadedModel(spec=spec, runtime=rt) for spec, rt in loaded]
        from pose_adapters.torch import build_network
        from pose_adapters.torch.runtime import TorchRuntime, resolve_device

        spec, module = build_network(
            path,
            backbone_ckpt_path=options.backbone_ckpt_path,
            head_ckpt_path=options.head_ckpt_path,
        )
        torch_device = resolve_device(options.device)
        device = str(torch_device)
        kind = runtime
        if kind == "auto":
            kind = self._auto_kind(device, options)
        if kind == "torch":
            return [LoadedModel(spec=spec, runtime=TorchRuntime(module, spec, device=device))]
        try:
            from pose_adapters.accel import make_runtime

            rt: Any = make_runtime(kind, module, spec, device=device,
                                   precision=options.precision, cache_dir=self.cache_dir,
                                   batch_size=options.batch_size)
        except PoseError:
            if runtime != "auto":
                raise
            log.warning("runtime %s unavailable; falling back to torch", kind)
            rt = TorchRuntime(module, spec, device=device)
        except Exception as exc:
            if runtime != "auto":
                raise
            log.warning("runtime %s failed (%s); falling back to torch", kind, exc)
            rt = TorchRuntime(module, spec, device=device)
        return [LoadedModel(spec=spec, runtime=rt)]

    @staticmethod
    def _auto_kind(device: str, options: InferenceOptions) -> str:
        try:
            from pose_adapters.accel import available_runtimes
        except ImportError:
            return "torch"
        kinds = [k for k in available_runtimes(device, options.precision)
                 if k != "tensorrt" or options.precision != "fp32"]
        return kinds[0] if kinds else "torch"
