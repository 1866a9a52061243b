"""ONNX: torch → ONNX conversion (cached) and the ONNX Runtime adapter.

Nothing heavy is imported here: torch, onnx and onnxruntime load inside the functions.
"""

from __future__ import annotations

from pose_adapters.onnx.convert import (
    DEFAULT_OPSET,
    cache_root,
    cached_onnx,
    conversion_key,
    export_onnx,
)
from pose_adapters.onnx.runtime import OnnxRuntime

__all__ = [
    "DEFAULT_OPSET",
    "OnnxRuntime",
    "cache_root",
    "cached_onnx",
    "conversion_key",
    "export_onnx",
]
