"""OpenVINO adapter for the ``NetworkRuntime`` port (CPU), reading the cached ONNX graph."""

from __future__ import annotations

import importlib.util
import logging
import os
from collections import Counter, OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pose_adapters._activations import finish_outputs
from pose_adapters._oom import oom_as_domain
from pose_app.network_outputs import NetworkOutputs
from pose_domain.errors import (
    DeviceUnavailableError,
    InferenceError,
    InvalidOptionError,
    MissingExtraError,
)

log = logging.getLogger("pose")

#: OpenVINO precision hint per mode; int8 runs its quantized layers in int8 and the rest in f32;
#: bf16 on a CPU without native bf16 compiles as f32 (OpenVINO reports f32 back).
_PRECISION_HINT = {"fp32": "f32", "bf16": "bf16", "int8": "f32"}


def cpu_supports_bf16() -> bool:
    """Whether OpenVINO reports native bf16 on this CPU (AVX-512 BF16 or AMX)."""
    try:
        import openvino as ov
    except ImportError:
        return False
    caps = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    return "BF16" in [str(c).upper() for c in caps]


def cpu_flags() -> set[str]:
    """The CPU feature flags Linux reports (``/proc/cpuinfo``); empty elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def int8_units(flags: set[str] | None = None) -> str:
    """The int8 matrix instructions OpenVINO can use here, in words."""
    f = cpu_flags() if flags is None else flags
    if "amx_int8" in f:
        return "AMX-INT8"
    if "avx512_vnni" in f:
        return "AVX-512 VNNI"
    if "avx_vnni" in f:
        return "AVX-VNNI"
    return "AVX2, no VNNI" if "avx2" in f else "no VNNI"


def bf16_units(flags: set[str] | None = None) -> str:
    """The native bf16 instructions here, in words."""
    f = cpu_flags() if flags is None else flags
    if "amx_bf16" in f:
        return "AMX-BF16"
    return "AVX-512 BF16" if "avx512_bf16" in f else "none"


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


class OpenVinoRuntime:
    """A network compiled by OpenVINO for the CPU.

    The ONNX graph has dynamic axes; each new input shape is compiled once as a static-shape
    model and kept in an LRU of compiled models.
    Compiled blobs are cached on disk under ``cache_dir`` so a second process starts fast.

    ``precision``: ``fp32`` (exact; the hint is forced to f32 so CPUs with AMX do not silently
    run bf16), ``bf16`` (the heads stay f32, ADR-0182; a CPU without native bf16 runs f32 and
    says so) or ``int8`` (NNCF post-training quantization, ADR-0180).

    int8 is a :class:`pose_app.ports.runtime.CalibratedRuntime`: the prediction use case
    calls :meth:`use_calibration` / :meth:`calibrate` with a calibration source before the
    run; quantized models are cached under ``<cache>/int8/<key>/<source>`` (key: the ONNX
    bytes, the recipe, the OpenVINO and NNCF versions) and a later run uses the one of its own
    source, else the newest of another source (the accuracy check decides whether that
    serves). A caller that never calibrates
    (a live session) gets the old behaviour: the first ``calibration_frames()`` inputs run in
    f32 while they are collected, then the network is quantized on them.
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
        self._native_bf16 = precision == "bf16" and cpu_supports_bf16()
        if precision == "bf16" and not self._native_bf16:
            log.warning("this CPU has no native bf16 (AVX-512 BF16 or AMX): --precision bf16 "
                        "runs in f32 here, exactly like fp32 on the openvino runtime")
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
        if self._native_bf16:
            from pose_adapters.openvino.quantize import keep_heads_precise

            keep_heads_precise(self._model)
        self.output_keys = tuple(o.get_any_name() for o in self._model.outputs)
        self._compiled: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._cache_root = Path(cache_dir).parent if cache_dir is not None else None
        # int8 state (ADR-0180): collected inputs of a caller that never calibrates
        self._calib: list[np.ndarray] | None = [] if precision == "int8" else None
        self._calib_first: np.ndarray | None = None
        self.quantized = False
        self.calibrated_on: str | None = None  # the calibration source of the int8 model
        self.calibrations = 0  # quantizations this runtime ran (cache hits do not count)

    @property
    def executes(self) -> str:
        """What the network really runs in, in words."""
        if self.precision == "int8":
            if self.quantized:
                return f"openvino int8 ({int8_units()}; heads f32)"
            return "openvino f32 (int8 not calibrated yet)"
        if self.precision == "bf16":
            if self._native_bf16:
                return f"openvino bf16 ({bf16_units()}; heads f32)"
            return "openvino f32 (bf16 asked; this CPU has no native bf16)"
        return "openvino f32"

    # -- int8 calibration (pose_app.ports.runtime.CalibratedRuntime) ---------------------
    def needs_calibration(self) -> bool:
        return self.precision == "int8" and not self.quantized

    def _int8_cache(self) -> Path:
        from pose_adapters.onnx.convert import cache_root

        return self._cache_root if self._cache_root is not None else cache_root(None)

    def _use_model(self, model: Any) -> None:
        self._model = model
        self._compiled.clear()
        self._calib = None
        self.quantized = True

    def use_calibration(self, source: str) -> str | None:
        """Switch to a cached int8 model of this network: the one calibrated on ``source``,
        else the newest one calibrated on another source. Returns the source the model in use
        was calibrated on (None: none cached, the runtime still needs calibration)."""
        from pose_adapters.openvino import quantize as q

        if self.precision != "int8" or self.calibrated_on == q.entry_name(source):
            return self.calibrated_on
        found = q.load_int8(self._core, self._int8_cache(), q.int8_key(self.path), source)
        if found is None or (self.calibrated_on is not None
                             and found[1] != q.entry_name(source)):
            return self.calibrated_on  # keep the calibration in use unless this source has one
        self._use_model(found[0])
        self.calibrated_on = found[1]
        return self.calibrated_on

    def calibrate(self, source: str, samples: Sequence[np.ndarray]) -> None:
        """Quantize the fp32 network on ``samples`` (uint8 batches), cache it under
        ``source`` (replacing an entry of that source) and switch to it."""
        if self.precision != "int8":
            return
        from pose_adapters.openvino import quantize as q

        singles = [b[i:i + 1] for b in samples for i in range(len(b))]
        if not singles:
            return
        shapes = Counter(x.shape for x in singles)
        common = shapes.most_common(1)[0][0]
        model = q.quantize(self._core, self.path, [x for x in singles if x.shape == common])
        self.calibrations += 1
        q.store_int8(model, self._int8_cache(), q.int8_key(self.path), source)
        self._use_model(model)
        self.calibrated_on = q.entry_name(source)

    def _collect(self, x: np.ndarray) -> None:
        """A caller that never calibrates: collect ``x``; quantize once enough are in."""
        from pose_adapters.openvino import quantize as q

        assert self._calib is not None
        if self._calib_first is None:
            self._calib_first = x.copy()
            if self.use_calibration(q.first_batch_source(x, q.calibration_frames())):
                return  # (a model calibrated on another source serves too)
        if x.shape[1:] != self._calib_first.shape[1:]:
            return  # another input size than the calibration set's: run it in fp32
        self._calib.extend(x[i:i + 1].copy() for i in range(x.shape[0]))
        n = q.calibration_frames()
        if len(self._calib) >= n:
            self.calibrate(q.first_batch_source(self._calib_first, n), self._calib[:n])

    # -- inference ------------------------------------------------------------------------
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

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        """Run the network on uint8 ``(B, C, H, W)``; float32 outputs by key."""
        x = np.ascontiguousarray(images, dtype=np.uint8)
        if x.shape[0] == 0:  # OpenVINO kernels reject empty batches: run one blank frame
            return self.infer(np.zeros((1, *x.shape[1:]), np.uint8)).map(lambda v: v[:0])
        with oom_as_domain(self.name, int(x.shape[0])):  # ADR-0133
            req = self._request(tuple(int(s) for s in x.shape))
            req.infer({"image": x})
        out = {k: np.array(req.get_output_tensor(i).data, dtype=np.float32, copy=True)
               for i, k in enumerate(self.output_keys)}
        if self._calib is not None:  # int8 never calibrated by the caller: this ran in f32
            self._collect(x)
        return finish_outputs(out)
