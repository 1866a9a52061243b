"""Versions and devices for the provenance of an output (and ``pose system``)."""

from __future__ import annotations

import sys
from typing import Any


def system_info() -> dict[str, Any]:
    """Library versions and, when torch is already loaded, its CUDA devices."""
    info: dict[str, Any] = {}
    try:
        import sleap_io

        info["sleap_io_version"] = sleap_io.__version__
    except Exception:  # pragma: no cover
        pass
    if "torch" in sys.modules:  # report CUDA details only when torch was needed anyway
        import torch

        info["pytorch_version"] = torch.__version__
        info["cuda_version"] = torch.version.cuda
        info["accelerator"] = "cuda" if torch.cuda.is_available() else "cpu"
        info["gpu_count"] = torch.cuda.device_count()
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    else:
        from importlib import metadata

        try:
            info["pytorch_version"] = metadata.version("torch")
        except metadata.PackageNotFoundError:  # pragma: no cover
            pass
    for mod, key in (("onnxruntime", "onnxruntime_version"), ("openvino", "openvino_version")):
        try:
            m = __import__(mod)
            info[key] = getattr(m, "__version__", None) or m.get_version()
        except Exception:
            pass
    from pose import __version__

    info["pose_version"] = __version__
    return info


def library_versions() -> dict[str, str]:
    """pose and sleap-io versions, without importing torch (tracking needs none)."""
    import sleap_io

    from pose import __version__

    return {"pose_version": __version__, "sleap_io_version": str(sleap_io.__version__)}
