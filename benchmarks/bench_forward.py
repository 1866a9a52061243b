"""Forward-only throughput of one model per runtime (not a test).

    .venv/bin/python benchmarks/bench_forward.py tests/data/models/sleapnn/bottomup \
        --batch-size 4 --size 384 --runtimes torch,onnx,openvino,openvino-bf16

Prints frames per second of the network alone (wall clock, and an idle-machine estimate from
CPU time for runs on a shared machine) (uint8 batch in → float32 outputs out, including
the runtime's own input/output copies), which is the ceiling the end-to-end pipeline is compared
to. Conversion is done (or read from the cache) before timing; each runtime gets a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np


def _torch_runtime(module, threads: int, channels_last: bool):
    import torch

    torch.set_num_threads(threads)
    net = module.eval()
    if channels_last:
        net = net.to(memory_format=torch.channels_last)

    def infer(images: np.ndarray) -> dict:
        with torch.inference_mode():
            x = torch.from_numpy(images).float() / 255.0
            if channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            return {k: v.numpy() for k, v in net(x).items()}

    return infer


def _time(infer, images: np.ndarray, seconds: float, min_iters: int = 3) -> tuple[float, float]:
    """(wall-clock FPS, CPU-time FPS): the second is frames per CPU-second of this process
    times the thread count, an estimate of the FPS on an otherwise idle machine that is
    robust to other load (exact when the runtime keeps every thread busy)."""
    infer(images)  # warm-up (OpenVINO compiles per shape here)
    infer(images)
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while n < min_iters or time.perf_counter() - t0 < seconds:
        infer(images)
        n += 1
    frames = n * images.shape[0]
    return frames / (time.perf_counter() - t0), frames / (time.process_time() - c0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", nargs="+", help="model folder(s)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--size", type=int, default=384, help="input height = width (px)")
    p.add_argument("--runtimes", default="torch,torch-cl,onnx,openvino,openvino-bf16")
    p.add_argument("--seconds", type=float, default=8.0, help="timing window per runtime")
    p.add_argument("--threads", type=int, default=0, help="0 = every core")
    p.add_argument("--cache-dir", default=None)
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    args = p.parse_args(argv)

    from pose_adapters.accel import make_runtime
    from pose_adapters.onnx.runtime import cpu_threads
    from pose_adapters.torch.network import build_network
    from pose_domain.errors import PoseError

    threads = args.threads or cpu_threads()
    for model in args.model:
        spec, module = build_network(model)
        s = spec.max_stride
        size = -(-args.size // s) * s
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (args.batch_size, spec.in_channels, size, size),
                              dtype=np.uint8)
        results: dict[str, float | str] = {}
        for rt_name in args.runtimes.split(","):
            try:
                if rt_name in ("torch", "torch-cl"):
                    infer = _torch_runtime(module, threads, rt_name == "torch-cl")
                else:
                    kind, _, prec = rt_name.partition("-")
                    rt = make_runtime(kind, module, spec, precision=prec or "fp32",
                                      cache_dir=args.cache_dir, batch_size=args.batch_size,
                                      threads=threads)
                    infer = rt.infer
                wall, per_cpu_s = _time(infer, images, args.seconds)
                results[rt_name] = round(wall, 2)
                results[rt_name + "@idle_est"] = round(per_cpu_s * threads, 2)
            except PoseError as exc:
                results[rt_name] = f"n/a ({exc.one_line()})"
        row = {"model": model, "model_type": spec.model_type, "size": size,
               "batch_size": args.batch_size, "threads": threads, "fps": results}
        if args.json:
            print(json.dumps(row))
        else:
            print(f"{os.path.basename(model.rstrip('/'))} ({spec.model_type}) {size}x{size} "
                  f"batch {args.batch_size}, {threads} threads:")
            for k, v in results.items():
                print(f"  {k:<14} {v} FPS" if isinstance(v, float) else f"  {k:<14} {v}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
