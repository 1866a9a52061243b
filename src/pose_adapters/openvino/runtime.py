"""OpenVINO adapter for the ``NetworkRuntime`` port (CPU), reading the cached ONNX graph."""

from __future__ import annotations

import importlib.util
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from pose_adapters._activations import finish_outputs
from pose_adapters._oom import oom_as_domain
from pose_domain.errors import (
    DeviceUnavailableError,
    InferenceError,
    InvalidOptionError,
    MissingExtraError,
)

#: OpenVINO precision hint per mode; int8 runs its quantized layers in int8 and the rest in f32.
_PRECISION_HINT = {"fp32": "f32", "bf16": "bf16", "int8": "f32"}


def cpu_supports_bf16() -> bool:
    """Whether OpenVINO reports native bf16 on this CPU (AVX-512 BF16 or AMX)."""
    try:
        import openvino as ov
    except ImportError:
        return False
    caps = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    return "BF16" in [str(c).upper() for c in caps]


def check_openvino(device: str, precision: str) -> None:
    """Raise the matching error unless OpenVINO can run ``precision`` on ``device`` here."""
    if importlib.util.find_spec("openvino") is None:
        raise MissingExtraError("openvino", "openvino", "the openvino runtime")
    if device.lower() != "cpu":
        raise DeviceUnavailableError(
            f"the openvino runtime runs on the CPU only, not on '{device}'",
            hint="use --device cpu, or --runtime onnx/tensorrt for GPUs",
        )
    if precision not in _PRECISION_HINT:
        raise InvalidOptionError(
            f"the openvino runtime supports precision fp32, bf16 or int8, not '{precision}'",
            hint="use --precision fp32, bf16 or int8",
        )
    if precision == "int8":
        from pose_adapters.openvino.quantize import check_nncf

        check_nncf()
    if precision == "bf16" and not cpu_supports_bf16():
        raise DeviceUnavailableError(
            "this CPU has no native bf16 (AVX-512 BF16 or AMX), so --precision bf16 "
            "would not be faster",
            hint="use --precision fp32",
        )


class OpenVinoRuntime:
    """A network compiled by OpenVINO for the CPU.

    The ONNX graph has dynamic axes; each new input shape is compiled once as a static-shape
    model and kept in an LRU of compiled models.
    Compiled blobs are cached on disk under ``cache_dir`` so a second process starts fast.

    ``precision``: ``fp32`` (exact; the hint is forced to f32 so CPUs with AMX do not silently
    run bf16), ``bf16`` (needs native bf16 on the CPU) or ``int8`` (NNCF post-training
    quantization calibrated on this run's own first inputs; ADR-0055).

    int8: the first ``calibration_frames()`` network inputs run in fp32 while they are
    collected; then the network is quantized (or the quantized model is read from
    ``<cache>/int8/<key>``, looked up as soon as the first batch is seen) and every later
    batch runs in int8. A run shorter than the calibration set stays fp32 throughout.
    """

    name = "openvino"
    _MAX_SHAPES = 16

    def __init__(
        self,
        onnx_path: str | os.PathLike[str],
        *,
        device: str = "cpu",
        precision: str = "fp32",
        threads: int | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        check_openvino(device, precision)
        import openvino as ov

        from pose_adapters.onnx.runtime import cpu_threads

        self.path = Path(onnx_path)
        self.precision = precision
        self._core = ov.Core()
        self._config: dict[str, Any] = {
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": int(threads or cpu_threads()),
            "INFERENCE_PRECISION_HINT": _PRECISION_HINT[precision],
        }
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            self._config["CACHE_DIR"] = str(cache_dir)
        try:
            self._model = self._core.read_model(str(self.path))
        except Exception as exc:
            raise InferenceError(
                f"OpenVINO could not read {self.path}: {exc}",
                hint="delete the cached file or re-export the model",
            ) from exc
        self.output_keys = tuple(o.get_any_name() for o in self._model.outputs)
        self._compiled: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        # int8 calibration state (ADR-0055)
        self._cache_root = Path(cache_dir).parent if cache_dir is not None else None
        self._calib: list[np.ndarray] | None = [] if precision == "int8" else None
        self._calib_key: str | None = None
        self._calib_first: np.ndarray | None = None
        self.quantized = False

    def _int8_cache(self) -> Path:
        from pose_adapters.onnx.convert import cache_root

        return self._cache_root if self._cache_root is not None else cache_root(None)

    def _use_model(self, model: Any) -> None:
        self._model = model
        self._compiled.clear()
        self._calib = None
        self.quantized = True

    def _calibrate(self, x: np.ndarray) -> None:
        """Collect ``x`` for int8 calibration; switch to int8 when a cached model matches the
        first batch or when enough samples are in."""
        from pose_adapters.openvino import quantize as q

        assert self._calib is not None
        n = q.calibration_frames()
        if self._calib_key is None:
            self._calib_first = x.copy()
            self._calib_key = q.int8_key(self.path, x, n)
            cached = q.load_int8(self._core, self._int8_cache(), self._calib_key)
            if cached is not None:
                self._use_model(cached)
                return
        if self._calib_first is not None and x.shape[1:] != self._calib_first.shape[1:]:
            return  # another input size than the calibration set's: run it in fp32
        self._calib.extend(x[i:i + 1].copy() for i in range(x.shape[0]))
        if len(self._calib) >= n:
            model = q.quantize(self._core, self.path, self._calib[:n])
            q.store_int8(model, self._int8_cache(), self._calib_key)
            self._use_model(model)

    def _request(self, shape: tuple[int, ...]) -> Any:
        """An infer request compiled for exactly ``(B, C, H, W)`` (static shapes run ~5% faster
        than a dynamic batch here; compiling takes ~0.1 s, and top-down crop batches take only
        a few distinct sizes, so the LRU holds 16)."""
        req = self._compiled.get(shape)
        if req is not None:
            self._compiled.move_to_end(shape)
            return req
        model = self._model.clone()
        model.reshape({"image": list(shape)})
        compiled = self._core.compile_model(model, "CPU", self._config)
        req = compiled.create_infer_request()
        self._compiled[shape] = req
        while len(self._compiled) > self._MAX_SHAPES:
            self._compiled.popitem(last=False)
        return req

    def infer(self, images: np.ndarray) -> dict[str, np.ndarray]:
        """Run the network on uint8 ``(B, C, H, W)``; float32 outputs by key."""
        x = np.ascontiguousarray(images, dtype=np.uint8)
        if x.shape[0] == 0:  # OpenVINO kernels reject empty batches: run one blank frame
            return {k: v[:0] for k, v in self.infer(np.zeros((1, *x.shape[1:]), np.uint8)).items()}
        with oom_as_domain(self.name, int(x.shape[0])):  # ADR-0133
            req = self._request(tuple(int(s) for s in x.shape))
            req.infer({"image": x})
        if self._calib is not None:  # int8 still calibrating: this batch ran in fp32
            out = {k: np.array(req.get_output_tensor(i).data, dtype=np.float32, copy=True)
                   for i, k in enumerate(self.output_keys)}
            self._calibrate(x)
            return finish_outputs(out)
        return finish_outputs({
            k: np.array(req.get_output_tensor(i).data, dtype=np.float32, copy=True)
            for i, k in enumerate(self.output_keys)
        })
