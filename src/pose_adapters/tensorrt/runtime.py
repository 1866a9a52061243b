"""TensorRT adapter for the ``NetworkRuntime`` port: engine built from the ONNX graph, cached.

Needs an NVIDIA GPU, the ``tensorrt`` package (``pose[tensorrt]``) and a CUDA build of torch
(used for device buffers and the stream). Without them the constructors raise
``DeviceUnavailableError`` / ``MissingExtraError`` with the fix.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from pose_adapters._activations import finish_outputs
from pose_adapters._files import honour_umask
from pose_adapters._oom import oom_as_domain, release_torch_cache
from pose_app.network_outputs import NetworkOutputs
from pose_domain.errors import (
    DeviceUnavailableError,
    InferenceError,
    InvalidOptionError,
    MissingExtraError,
)

WORKSPACE_BYTES = 2 << 30


@attrs.frozen
class ShapeProfile:
    """One TensorRT optimisation profile for the ``image`` input (each ``(B, C, H, W)``)."""

    min: tuple[int, int, int, int]
    opt: tuple[int, int, int, int]
    max: tuple[int, int, int, int]

    @classmethod
    def around(cls, height: int, width: int, *, in_channels: int, batch_size: int,
               max_batch_size: int, stride: int = 1) -> ShapeProfile:
        """Half to twice ``(height, width)`` (rounded to ``stride``), 1 to ``max_batch_size``
        frames, 1 or 3 channels; optimised for ``batch_size`` frames at the given size."""
        s = max(int(stride), 1)
        lo_h, lo_w = max(height // 2 // s * s, s), max(width // 2 // s * s, s)
        mb = max(int(max_batch_size), int(batch_size), 1)
        return cls(
            min=(1, 1, lo_h, lo_w),
            opt=(max(int(batch_size), 1), int(in_channels), int(height), int(width)),
            max=(mb, 3, 2 * int(height), 2 * int(width)),
        )


def _import_trt() -> Any:
    try:
        import tensorrt as trt
    except ImportError as exc:
        raise MissingExtraError("tensorrt", "tensorrt", "the tensorrt runtime") from exc
    return trt


def _cuda_device(device: str) -> Any:
    import torch

    from pose_adapters.onnx.runtime import cuda_index

    idx = cuda_index(device) if device.lower() != "cpu" else None
    if idx is None:
        raise DeviceUnavailableError(
            "TensorRT needs an NVIDIA GPU, but --device is cpu",
            hint="use --device cuda, or --runtime onnx/openvino on the CPU",
        )
    if not torch.cuda.is_available() or idx >= torch.cuda.device_count():
        raise DeviceUnavailableError(
            f"TensorRT needs an NVIDIA GPU and none is available as {device}",
            hint="use --runtime onnx or openvino on this machine",
        )
    return torch.device("cuda", idx)


def engine_key(onnx_path: Path, profile: ShapeProfile, precision: str, device: Any) -> str:
    """Digest of the ONNX bytes, profile, precision, TensorRT version and GPU model."""
    import torch

    trt = _import_trt()
    h = hashlib.sha256(onnx_path.read_bytes())
    head = {
        "trt": trt.__version__,
        "gpu": torch.cuda.get_device_name(device),
        "cc": list(torch.cuda.get_device_capability(device)),
        "profile": attrs.asdict(profile),
        "precision": precision,
    }
    h.update(json.dumps(head, sort_keys=True).encode())
    return h.hexdigest()[:32]


def build_engine(
    onnx_path: str | os.PathLike[str],
    engine_path: str | os.PathLike[str],
    *,
    profile: ShapeProfile,
    precision: str = "fp16",
    device: str = "cuda",
    workspace_bytes: int = WORKSPACE_BYTES,
) -> Path:
    """Build a serialized TensorRT engine from an ONNX graph (written atomically).

    ``precision``: ``fp32`` (TF32 off: closest to exact), ``fp16`` (FP16 kernels allowed).
    """
    trt = _import_trt()
    import torch

    dev = _cuda_device(device)
    if precision not in ("fp32", "fp16"):
        raise InvalidOptionError(
            f"TensorRT supports precision fp32 or fp16, not '{precision}'",
            hint="use --precision fp16 or fp32",
        )
    logger = trt.Logger(trt.Logger.WARNING)
    with torch.cuda.device(dev):
        builder = trt.Builder(logger)
        network = builder.create_network(0)
        parser = trt.OnnxParser(network, logger)
        if not parser.parse(Path(onnx_path).read_bytes()):
            errs = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
            raise InferenceError(f"TensorRT could not parse {onnx_path}: {errs}",
                                 hint="use --runtime onnx")
        config = builder.create_builder_config()
        config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, int(workspace_bytes))
        if precision == "fp16":
            config.set_flag(trt.BuilderFlag.FP16)
        else:
            config.clear_flag(trt.BuilderFlag.TF32)
        prof = builder.create_optimization_profile()
        prof.set_shape("image", profile.min, profile.opt, profile.max)
        config.add_optimization_profile(prof)
        blob = builder.build_serialized_network(network, config)
    if blob is None:
        raise InferenceError(f"TensorRT could not build an engine from {onnx_path}",
                             hint="use --runtime onnx")
    out = Path(engine_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".trt.tmp", dir=out.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
    honour_umask(tmp)
    os.replace(tmp, out)
    return out


def cached_engine(
    onnx_path: str | os.PathLike[str],
    *,
    profile: ShapeProfile,
    precision: str,
    device: str,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """The cached engine for this ONNX graph, profile, precision and GPU, building on a miss."""
    from pose_adapters.onnx.convert import cache_root

    dev = _cuda_device(device)
    key = engine_key(Path(onnx_path), profile, precision, dev)
    path = cache_root(cache_dir) / "tensorrt" / f"{key}.engine"
    if not path.is_file():
        build_engine(onnx_path, path, profile=profile, precision=precision, device=device)
    return path


class TensorRtRuntime:
    """A deserialized TensorRT engine run on one CUDA stream.

    ``infer(images)``: uint8 ``(B, C, H, W)`` within the engine's profile → float32 numpy
    arrays by output key (copied back to the host).
    """

    name = "tensorrt"

    def __init__(self, engine_path: str | os.PathLike[str], *, device: str = "cuda") -> None:
        trt = _import_trt()
        import torch

        self._torch = torch
        self._device = _cuda_device(device)
        self.path = Path(engine_path)
        logger = trt.Logger(trt.Logger.WARNING)
        with torch.cuda.device(self._device):
            self._runtime = trt.Runtime(logger)
            self._engine = self._runtime.deserialize_cuda_engine(self.path.read_bytes())
            if self._engine is None:
                raise InferenceError(
                    f"TensorRT could not load the engine {self.path}",
                    hint="delete it to rebuild (engines are tied to the GPU and TensorRT "
                    "version)",
                )
            self._context = self._engine.create_execution_context()
            self._stream = torch.cuda.Stream(device=self._device)
        names = [self._engine.get_tensor_name(i) for i in range(self._engine.num_io_tensors)]
        self.output_keys = tuple(
            n for n in names if self._engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT
        )

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        """Run the engine on uint8 ``(B, C, H, W)``; float32 outputs by key."""
        torch = self._torch
        x = np.ascontiguousarray(images, dtype=np.uint8)
        if x.shape[0] == 0:  # profiles start at batch 1: run one blank frame
            return self.infer(np.zeros((1, *x.shape[1:]), np.uint8)).map(lambda v: v[:0])
        with oom_as_domain(self.name, int(x.shape[0]), release_torch_cache), \
                torch.cuda.device(self._device), torch.cuda.stream(self._stream):
            inp = torch.from_numpy(x).to(self._device, non_blocking=True)
            if not self._context.set_input_shape("image", tuple(inp.shape)):
                raise InferenceError(
                    f"input shape {tuple(inp.shape)} is outside the TensorRT engine's profile",
                    hint="rebuild with a larger --max-batch-size or use --runtime onnx",
                )
            self._context.set_tensor_address("image", inp.data_ptr())
            outs = {}
            for k in self.output_keys:
                shape = tuple(self._context.get_tensor_shape(k))
                buf = torch.empty(shape, dtype=torch.float32, device=self._device)
                self._context.set_tensor_address(k, buf.data_ptr())
                outs[k] = buf
            if not self._context.execute_async_v3(self._stream.cuda_stream):
                raise InferenceError("TensorRT execution failed", hint="use --runtime onnx")
            host = {k: v.cpu() for k, v in outs.items()}
        self._stream.synchronize()
        return finish_outputs({k: v.numpy() for k, v in host.items()})
