"""INT8 post-training quantization of a cached ONNX network with NNCF (ADR-0055).

Calibration data are network inputs of the data being run: uint8 ``(B, C, H, W)`` batches
exactly as the pipeline feeds them (scaled frames, or crops for a centered-instance model),
recorded while the exact models predict a sample of the run's frames (ADR-0180). The
quantized model is cached under ``<cache>/int8/<key>/model.xml`` where ``key`` covers the
ONNX bytes, the quantization recipe, the NNCF / OpenVINO versions and the calibration source.

    key = int8_key(onnx_path)
    model, calibrated_on = load_int8(core, cache, key, source) or (quantize(...), source)
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from pose_domain.errors import InferenceError, MissingExtraError

log = logging.getLogger("pose")

#: Changes whenever the recipe below changes (invalidates cached int8 models).
RECIPE = "int8-v2:performance-preset:fp32-heads"

#: Frames used for calibration unless ``$POSE_INT8_CALIBRATION_FRAMES`` says otherwise.
DEFAULT_CALIBRATION_FRAMES = 256


def calibration_frames() -> int:
    """Samples (network inputs) to calibrate on: ``$POSE_INT8_CALIBRATION_FRAMES`` or 256."""
    raw = os.environ.get("POSE_INT8_CALIBRATION_FRAMES", "").strip()
    try:
        return max(int(raw), 1) if raw else DEFAULT_CALIBRATION_FRAMES
    except ValueError:
        return DEFAULT_CALIBRATION_FRAMES


def check_nncf() -> None:
    """Raise :class:`MissingExtraError` unless NNCF is installed."""
    if importlib.util.find_spec("nncf") is None:
        raise MissingExtraError("nncf", "openvino", "--precision int8")


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def int8_key(onnx_path: str | os.PathLike[str]) -> str:
    """Cache key of a network's int8 models: the fp32 ONNX bytes, the recipe and the NNCF
    and OpenVINO versions (one folder per key, one entry per calibration source; ADR-0180).

    Returns:
        A 32-hex-digit key.
    """
    import nncf
    import openvino as ov

    h = hashlib.sha256()
    for part in (_file_digest(Path(onnx_path)), RECIPE, nncf.__version__, ov.__version__):
        h.update(part.encode())
        h.update(b"|")
    return h.hexdigest()[:32]


def first_batch_source(first_batch: np.ndarray, n_samples: int) -> str:
    """The calibration source of a caller that never calibrates: the first ``n_samples``
    inputs, identified by the bytes of the first batch (same input, same preprocessing →
    same first batch)."""
    h = hashlib.sha256(f"first-inputs|{n_samples}|{first_batch.shape}|".encode())
    h.update(np.ascontiguousarray(first_batch).tobytes())
    return h.hexdigest()[:24]


def _head_convs(model: Any) -> list[str]:
    """Names of the convolutions that produce the model outputs (kept in fp32).

    Walks back from each output through element-wise / shape ops until a Convolution is found.
    """
    passthrough = {"Add", "Multiply", "Subtract", "Sigmoid", "Reshape", "Transpose",
                   "Convert", "Squeeze", "Unsqueeze", "Concat", "Relu", "Clamp"}
    names: list[str] = []
    for out in model.outputs:
        stack = [out.get_node()]
        seen: set[str] = set()
        while stack:
            node = stack.pop()
            name = node.get_friendly_name()
            if name in seen:
                continue
            seen.add(name)
            kind = node.get_type_name()
            if kind == "Convolution":
                names.append(name)
                continue
            if kind in passthrough or kind == "Result":
                stack.extend(inp.get_source_output().get_node() for inp in node.inputs())
    return sorted(set(names))


def keep_heads_precise(model: Any) -> list[str]:
    """Mark the output heads' convolutions to stay in f32 under a bf16 inference hint
    (OpenVINO's ``precise`` runtime attribute, the one behind ``disable_fp16_compression``;
    ADR-0182). Returns their names."""
    heads = set(_head_convs(model))
    for node in model.get_ordered_ops():
        if node.get_friendly_name() in heads:
            node.get_rt_info()["precise"] = ""
    return sorted(heads)


def quantize(core: Any, onnx_path: str | os.PathLike[str], samples: list[np.ndarray]) -> Any:
    """Quantize the ONNX network to INT8 with NNCF.

    Args:
        core: An ``openvino.Core``.
        onnx_path: fp32 ONNX graph with a dynamic uint8 input ``image``.
        samples: Calibration inputs, each uint8 ``(1, C, H, W)`` with one ``(C, H, W)``.

    Returns:
        The quantized ``openvino.Model`` (dynamic batch). Weights and activations of every
        convolution are int8 except the output heads', which stay fp32 (ADR-0055).

    Raises:
        InferenceError: NNCF failed.
    """
    check_nncf()
    import nncf

    model = core.read_model(str(onnx_path))
    c, h, w = samples[0].shape[1:]
    model.reshape({"image": [-1, int(c), int(h), int(w)]})
    heads = _head_convs(model)
    logging.getLogger("nncf").setLevel(logging.WARNING)
    try:
        return nncf.quantize(
            model,
            nncf.Dataset(samples),
            subset_size=len(samples),
            preset=nncf.QuantizationPreset.PERFORMANCE,
            ignored_scope=nncf.IgnoredScope(names=heads, validate=False) if heads else None,
        )
    except Exception as exc:  # NNCF raises many kinds; the message says what failed
        raise InferenceError(
            f"INT8 quantization failed: {exc}", hint="use --precision fp32"
        ) from exc


def entry_name(source: str) -> str:
    """``source`` as a folder name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in source)[:64] or "_"


def cached_path(cache: Path, key: str, source: str) -> Path:
    return cache / "int8" / key / entry_name(source) / "model.xml"


def load_int8(core: Any, cache: Path, key: str, source: str) -> tuple[Any, str] | None:
    """The cached quantized model for ``key``: the one calibrated on ``source`` when there
    is one, else the newest one calibrated on another source; with the source it was
    calibrated on. None when there is none (or none readable)."""
    exact = cached_path(cache, key, source)
    others = sorted((p for p in (cache / "int8" / key).glob("*/model.xml") if p != exact),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for path in ([exact] if exact.is_file() else []) + others:
        try:
            return core.read_model(str(path)), path.parent.name
        except Exception as exc:  # a damaged cache entry is skipped (and rebuilt)
            log.debug("could not read cached int8 model %s: %s", path, exc)
    return None


def store_int8(model: Any, cache: Path, key: str, source: str) -> None:
    """Write ``model`` under the cache atomically (temp folder + rename); errors are logged."""
    import openvino as ov

    final = cached_path(cache, key, source).parent
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=".tmp-"))
        ov.save_model(model, str(tmp / "model.xml"), compress_to_fp16=False)
        if final.exists():  # a recalibration replaces the entry
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.replace(tmp, final)
        except OSError:  # another process won the race
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        log.debug("could not cache the int8 model: %s", exc)
