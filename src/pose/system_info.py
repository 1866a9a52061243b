"""Versions and devices for the provenance of an output (and ``pose system``)."""

from __future__ import annotations

import os
import platform
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
    from importlib import metadata as _md

    try:
        info["sleap_nn_version"] = _md.version("sleap-nn")
    except _md.PackageNotFoundError:
        info["sleap_nn_version"] = None
    from pose import __version__

    info["pose_version"] = __version__
    return info


def library_versions() -> dict[str, str]:
    """pose and sleap-io versions, without importing torch (tracking needs none)."""
    import sleap_io

    from pose import __version__

    return {"pose_version": __version__, "sleap_io_version": str(sleap_io.__version__)}


def _gpus() -> list[str]:
    """GPU names from nvidia-smi (no torch import), else empty."""
    import shutil
    import subprocess

    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [x.strip() for x in out.stdout.splitlines() if x.strip()]


def system_report() -> dict[str, Any]:
    """Everything ``pose system`` reports: versions, runtimes, CPU features, GPUs, the formats
    and input kinds of the registry, and the provenance facts."""
    from importlib import metadata

    from pose_adapters.accel import available_runtimes
    from pose_adapters.openvino.runtime import cpu_flags

    versions: dict[str, str] = {}
    for dist in ("pose", "sleap-io", "numpy", "torch", "onnxruntime", "onnxruntime-gpu",
                 "openvino", "nncf", "tensorrt", "tensorflow-cpu", "ray", "pykalman", "cyclopts"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    flags = cpu_flags()
    gpus = _gpus()
    from pose.bootstrap import format_registry

    registry = format_registry()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "runtimes": {"cpu": available_runtimes("cpu"),
                     **({"cuda": available_runtimes("cuda")} if gpus else {})},
        "cpu": {
            "cores": os.cpu_count(),
            "bf16": bool({"avx512_bf16", "amx_bf16"} & flags),
            "avx2": "avx2" in flags, "avx512f": "avx512f" in flags,
            "amx": bool({"amx_tile", "amx_bf16"} & flags),
            "int8_vnni": bool({"avx512_vnni", "avx_vnni", "amx_int8"} & flags),
        },
        "gpus": gpus,
        "output_formats": {f.name: {"suffix": f.suffix, "description": f.description}
                           for f in registry.outputs},
        "input_kinds": {k.name: k.description for k in registry.inputs},
        "provenance": system_info(),
    }
