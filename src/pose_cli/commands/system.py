"""``pose system`` (like ``sleap-nn system``): versions, runtimes, devices, CPU features."""

from __future__ import annotations

import json
import os
import platform
from typing import Annotated, Any

from cyclopts import Parameter


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


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


def collect() -> dict[str, Any]:
    """Everything ``pose system`` reports."""
    from importlib import metadata

    from pose.system_info import system_info
    from pose_adapters.accel import available_runtimes

    versions: dict[str, str] = {}
    for dist in ("pose", "sleap-io", "numpy", "torch", "onnxruntime", "onnxruntime-gpu",
                 "openvino", "nncf", "tensorrt", "tensorflow-cpu", "ray", "pykalman", "cyclopts"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    flags = _cpu_flags()
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


def system(
    *,
    as_json: Annotated[bool, Parameter(name="--json", negative="", help="Print JSON.")] = False,
) -> int:
    """Show versions, available runtimes, devices, CPU features (bf16) and GPU names."""
    info = collect()
    if as_json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"python {info['python']} on {info['platform']}")
    for k, v in info["versions"].items():
        print(f"  {k:16s} {v}")
    for dev, rts in info["runtimes"].items():
        print(f"runtimes ({dev}): {', '.join(rts) or 'none'}")
    cpu = info["cpu"]
    print(f"cpu: {cpu['cores']} cores, bf16 {'yes' if cpu['bf16'] else 'no'}, "
          f"avx2 {'yes' if cpu['avx2'] else 'no'}, avx512f {'yes' if cpu['avx512f'] else 'no'}, "
          f"int8 VNNI/AMX {'yes' if cpu['int8_vnni'] else 'no'}")
    print("fast modes: --precision bf16 runs "
          + ("bf16" if cpu["bf16"] else "f32 (no native bf16)")
          + ", --precision int8 runs int8 " + ("on VNNI/AMX" if cpu["int8_vnni"] else
                                               "on AVX2 without VNNI (slower int8 kernels)"))
    print(f"gpus: {', '.join(info['gpus']) or 'none'}")
    print("output formats (--output_format, pose convert):")
    for name, f in info["output_formats"].items():
        print(f"  {name:12s} {f['suffix']:13s} {f['description']}")
    print("inputs (-i):")
    for name, desc in info["input_kinds"].items():
        print(f"  {name:14s} {desc}")
    return 0
