"""INT8 post-training quantization of a cached ONNX network with NNCF (ADR-0055).

Calibration data are the network's own inputs in the run being processed: uint8
``(B, C, H, W)`` batches exactly as the pipeline feeds them (scaled frames, or crops for a
centered-instance model). The quantized model is cached under
``<cache>/int8/<key>/model.xml`` where ``key`` covers the ONNX bytes, the calibration source
(a digest of the first calibration batch plus the sample count), the quantization recipe and
the NNCF / OpenVINO versions.

    key = int8_key(onnx_path, first_batch, n_samples)
    model = load_int8(cache, key) or quantize_and_store(core, onnx_path, samples, cache, key)
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
RECIPE = "int8-v1:performance-preset:fp32-heads"

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


def int8_key(onnx_path: str | os.PathLike[str], first_batch: np.ndarray, n_samples: int) -> str:
    """Cache key of an int8 model.

    Args:
        onnx_path: The fp32 ONNX graph that is quantized.
        first_batch: uint8 ``(B, C, H, W)``, the first calibration batch: identifies the
            calibration source (the same input, preprocessed the same way, gives the same
            first batch and therefore the same calibration set).
        n_samples: Number of calibration samples.

    Returns:
        A 32-hex-digit key.
    """
    import nncf
    import openvino as ov

    h = hashlib.sha256()
    for part in (_file_digest(Path(onnx_path)), RECIPE, str(n_samples), nncf.__version__,
                 ov.__version__, str(first_batch.shape), str(first_batch.dtype)):
        h.update(part.encode())
        h.update(b"|")
    h.update(np.ascontiguousarray(first_batch).tobytes())
    return h.hexdigest()[:32]


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


def cached_path(cache: Path, key: str) -> Path:
    return cache / "int8" / key / "model.xml"


def load_int8(core: Any, cache: Path, key: str) -> Any | None:
    """The cached quantized model for ``key``, or None when absent or unreadable."""
    path = cached_path(cache, key)
    if not path.is_file():
        return None
    try:
        return core.read_model(str(path))
    except Exception as exc:  # a damaged cache entry is rebuilt
        log.debug("could not read cached int8 model %s: %s", path, exc)
        return None


def store_int8(model: Any, cache: Path, key: str) -> None:
    """Write ``model`` under the cache atomically (temp folder + rename); errors are logged."""
    import openvino as ov

    final = cached_path(cache, key).parent
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=".tmp-"))
        ov.save_model(model, str(tmp / "model.xml"), compress_to_fp16=False)
        try:
            os.replace(tmp, final)
        except OSError:  # another process won the race
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        log.debug("could not cache the int8 model: %s", exc)
