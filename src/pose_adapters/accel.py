"""Fast runtimes for a torch network: ONNX Runtime, OpenVINO, TensorRT (ADR-0050).

Each converts the network once to an ONNX graph (uint8 input, normalisation and channel fix
inside, dynamic batch/height/width), cached by content under ``cache_dir``, ``$POSE_CACHE_DIR``
or ``~/.cache/pose``. Every runtime returns the raw network outputs; peak finding, refinement
and grouping stay in the domain, so predictions match the torch path.

    runtime = make_runtime("openvino", module, spec)    # NetworkRuntime
    outputs = runtime.infer(images_uint8_bchw)           # NetworkOutputs: .confmaps, .pafs…
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from pose_app.model import ModelSpec
from pose_app.ports.runtime import NetworkRuntime
from pose_domain.errors import InvalidOptionError

#: Runtimes ``make_runtime`` builds (``torch`` is the eager module itself, built elsewhere).
KINDS = ("onnx", "openvino", "tensorrt")
PRECISIONS = ("fp32", "bf16", "fp16", "int8")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _is_cuda(device: str) -> bool:
    return device.lower().startswith("cuda")


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when torch sees a GPU, else ``cpu``; other values unchanged."""
    d = (device or "auto").lower().strip()
    if d != "auto":
        return d
    if _installed("torch"):
        import torch

        if torch.cuda.is_available():
            return "cuda"
    return "cpu"


def _ort_has_cuda() -> bool:
    if not _installed("onnxruntime"):
        return False
    import onnxruntime as ort

    return "CUDAExecutionProvider" in ort.get_available_providers()


def available_runtimes(device: str = "cpu", precision: str = "fp32") -> list[str]:
    """Runtimes usable on ``device``, fastest first; always ends with ``"torch"``.

    CPU: ``openvino`` (when installed; fastest fp32 here, and the only bf16 one), ``onnx``,
    ``torch``. CUDA: ``tensorrt`` (when installed), ``onnx`` (with ``onnxruntime-gpu``),
    ``torch``. ``precision`` drops runtimes that cannot run it (bf16: openvino, native on CPUs
    with AVX-512 BF16 / AMX, f32 elsewhere; int8: openvino with nncf installed; fp16:
    tensorrt).
    """
    out: list[str] = []
    device = resolve_device(device)
    if _is_cuda(device):
        if _installed("tensorrt") and precision in ("fp32", "fp16"):
            out.append("tensorrt")
        if precision == "fp32" and _ort_has_cuda():
            out.append("onnx")
    elif device.lower() == "cpu":
        if _installed("openvino") and precision in ("fp32", "bf16"):
            out.append("openvino")  # bf16 without native bf16 runs f32 and says so (ADR-0182)
        if precision == "int8" and _installed("openvino") and _installed("nncf"):
            out.append("openvino")
        if precision == "fp32" and _installed("onnxruntime"):
            out.append("onnx")
    out.append("torch")
    return out


def _round_up(v: float, s: int) -> int:
    return max(-(-int(v) // s) * s, s)


def network_input_size(spec: ModelSpec) -> tuple[int, int] | None:
    """The ``(height, width)`` the network sees in training-like use, or None if unknown:
    the crop size (centered instance) or ``max_height/max_width × scale``, padded to stride."""
    pre = spec.preprocessing
    s = max(int(spec.max_stride), 1)
    if pre.crop_size:
        return _round_up(pre.crop_size, s), _round_up(pre.crop_size, s)
    if pre.max_height and pre.max_width:
        return (_round_up(int(pre.max_height * pre.scale), s),
                _round_up(int(pre.max_width * pre.scale), s))
    return None


def make_runtime(
    kind: str,
    module: Any,
    spec: ModelSpec,
    *,
    device: str = "cpu",
    precision: str = "fp32",
    cache_dir: str | None = None,
    batch_size: int = 4,
    max_batch_size: int | None = None,
    threads: int | None = None,
) -> NetworkRuntime:
    """Build a fast runtime for a torch network.

    Args:
        kind: ``onnx``, ``openvino`` or ``tensorrt``.
        module: The torch network: float32 NCHW in [0, 1] with ``spec.in_channels`` channels
            in, ``dict`` of output tensors (or a bare confmap tensor) out.
        spec: The model's :class:`ModelSpec`.
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        precision: ``fp32`` (exact, every runtime), ``bf16`` (openvino; native on CPUs with
            AVX-512 BF16 / AMX), ``int8`` (openvino + nncf, ADR-0055), ``fp16`` (tensorrt).
        cache_dir: Cache folder (default ``$POSE_CACHE_DIR`` or ``~/.cache/pose``).
        batch_size: Frames per ``infer`` call the caller will use (TensorRT optimises for it).
        max_batch_size: Largest batch (TensorRT profile); default ``max(batch_size, 8)``.
        threads: CPU threads for one inference (default: every core available).

    Returns:
        A :class:`NetworkRuntime` whose ``infer`` takes uint8 ``(B, C, H, W)``.

    Raises:
        InvalidOptionError: Unknown kind or precision, or a precision the runtime lacks.
        MissingExtraError: The runtime's package is not installed.
        DeviceUnavailableError: The device (GPU) is not present.
        InferenceError: Conversion failed or the converted graph disagrees with torch.
    """
    if kind not in KINDS:
        raise InvalidOptionError(
            f"unknown runtime '{kind}'", hint=f"use one of: {', '.join((*KINDS, 'torch'))}"
        )
    if precision not in PRECISIONS:
        raise InvalidOptionError(
            f"unknown precision '{precision}'", hint="use fp32, bf16, fp16 or int8"
        )
    from pose_adapters.onnx.convert import cache_root, cached_onnx

    device = resolve_device(device)
    if kind == "onnx":
        if precision != "fp32":
            raise InvalidOptionError(
                f"the onnx runtime runs fp32 only, not {precision}",
                hint="use --runtime openvino --precision int8 or bf16 (CPU) or --runtime "
                "tensorrt --precision fp16 (GPU)",
            )
        from pose_adapters.onnx.runtime import OnnxRuntime, cuda_index

        cuda_index(device)  # validates the device string before converting
        return OnnxRuntime(cached_onnx(module, spec, cache_dir=cache_dir), device=device,
                           threads=threads)
    if kind == "openvino":
        from pose_adapters.openvino.runtime import OpenVinoRuntime, check_openvino

        check_openvino(device, precision)  # fail before spending time on conversion
        root = cache_root(cache_dir)
        path = cached_onnx(module, spec, cache_dir=cache_dir)
        return OpenVinoRuntime(path, device=device, precision=precision, threads=threads,
                               cache_dir=os.fspath(root / "openvino"))
    # tensorrt
    from pose_adapters.tensorrt.runtime import (
        ShapeProfile,
        TensorRtRuntime,
        _cuda_device,
        _import_trt,
        cached_engine,
    )

    _import_trt()
    _cuda_device(device)
    if precision in ("bf16", "int8"):
        raise InvalidOptionError(f"the tensorrt runtime supports fp32 or fp16, not {precision}",
                                 hint="use --precision fp16")
    size = network_input_size(spec) or (512, 512)
    profile = ShapeProfile.around(
        size[0], size[1], in_channels=spec.in_channels, batch_size=batch_size,
        max_batch_size=max_batch_size or max(batch_size, 8), stride=spec.max_stride,
    )
    onnx_path = cached_onnx(module, spec, cache_dir=cache_dir)
    engine = cached_engine(onnx_path, profile=profile, precision=precision, device=device,
                           cache_dir=cache_dir)
    return TensorRtRuntime(engine, device=device)
