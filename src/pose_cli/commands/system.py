"""``pose system`` (like ``sleap-nn system``): versions, runtimes, devices, CPU features."""

from __future__ import annotations

import json
from typing import Annotated

from cyclopts import Parameter


def system(
    *,
    as_json: Annotated[bool, Parameter(name="--json", negative="", help="Print JSON.")] = False,
) -> int:
    """Show versions, available runtimes, devices, CPU features (bf16) and GPU names."""
    from pose.system_info import system_report

    info = system_report()
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
