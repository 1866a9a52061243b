"""OpenVINO runtime adapter (optional extra ``pose[openvino]``); imports openvino lazily."""

from __future__ import annotations

from pose_adapters.openvino.runtime import OpenVinoRuntime, cpu_supports_bf16

__all__ = ["OpenVinoRuntime", "cpu_supports_bf16"]
