"""TensorRT runtime adapter (optional extra ``pose[tensorrt]``, NVIDIA GPUs only)."""

from __future__ import annotations

from pose_adapters.tensorrt.runtime import (
    ShapeProfile,
    TensorRtRuntime,
    build_engine,
    cached_engine,
)

__all__ = ["ShapeProfile", "TensorRtRuntime", "build_engine", "cached_engine"]
