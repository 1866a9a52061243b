"""``predict_frame`` latency per model type, side by side with the reference (not a test).

    .venv/bin/python benchmarks/bench_realtime.py --frames 40 [--reference PYTHON]

For each model type (single-instance 384², top-down 1024² on ``clip.mp4``, bottom-up 384²) the
same frames go one at a time through ``pose.Predictor.predict_frame`` and, in a subprocess of
the reference's venv (default ``~/.cache/pose-reference/venv/bin/python``), through sleap-nn
0.3.5's in-memory API ``Predictor.from_model_paths(..., batch_size=1).predict(
NumpyProvider(frame[None]))``. Prints p50 / p99 milliseconds per frame (after a warm-up) and
the ratios the issue's targets use, as a table and as one JSON line. Wall clock on a shared
machine: run it when the CPUs are quiet, and compare the two columns of one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
MODELS = DATA / "models" / "sleapnn"
CASES = {
    "single_instance_384": ([MODELS / "single_instance"], DATA / "videos" /
                            "centered_pair_small.mp4"),
    "top_down_1024": ([MODELS / "centroid", MODELS / "centered_instance"],
                      DATA / "videos" / "clip.mp4"),
    "bottom_up_384": ([MODELS / "bottomup"], DATA / "videos" / "centered_pair_small.mp4"),
}
REFERENCE_PYTHON = Path.home() / ".cache" / "pose-reference" / "venv" / "bin" / "python"
WARMUP = 5

#: Run in the reference's venv: the same frames through its in-memory API.
REFERENCE_SCRIPT = r"""
import json, sys, time
import numpy as np
import sleap_io as sio
from sleap_nn.inference.predictor import Predictor
from sleap_nn.inference.providers import NumpyProvider
args = json.loads(sys.argv[1])
video = sio.load_video(args["video"])
frames = [np.asarray(video[i]) for i in range(args["n"] + args["warmup"])]
p = Predictor.from_model_paths(args["models"], batch_size=1, device="cpu")
times = []
for i, f in enumerate(frames):
    t = time.perf_counter()
    p.predict(NumpyProvider(f[None], batch_size=1))
    if i >= args["warmup"]:
        times.append(time.perf_counter() - t)
print("RESULT " + json.dumps(times))
"""


def _frames(video: Path, n: int) -> list[np.ndarray]:
    import sleap_io as sio

    v = sio.load_video(str(video))
    try:
        return [np.asarray(v[i]) for i in range(n)]
    finally:
        v.close()


def ours(models: list[Path], video: Path, n: int) -> list[float]:
    """Seconds per ``predict_frame`` call for ``n`` frames (after the warm-up)."""
    import pose

    predictor = pose.load_model([str(m) for m in models], batch_size=1,
                                progress_reporting="none", device="cpu")
    times = []
    for i, frame in enumerate(_frames(video, n + WARMUP)):
        t = time.perf_counter()
        predictor.predict_frame(frame)
        if i >= WARMUP:
            times.append(time.perf_counter() - t)
    return times


def reference(python: Path, models: list[Path], video: Path, n: int) -> list[float] | None:
    """The reference's seconds per frame, or None when its venv is missing or fails."""
    if not python.exists():
        return None
    args = json.dumps({"models": [str(m) for m in models], "video": str(video), "n": n,
                       "warmup": WARMUP})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([str(python), "-c", REFERENCE_SCRIPT, args], capture_output=True,
                          text=True, env=env, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return [float(x) for x in json.loads(line[len("RESULT "):])]
    print(proc.stderr[-2000:], file=sys.stderr)
    return None


def _ms(times: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(times) * 1000.0, q))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=40, help="timed frames per model type")
    ap.add_argument("--reference", type=Path, default=REFERENCE_PYTHON)
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    a = ap.parse_args()
    rows = []
    for name in a.cases.split(","):
        models, video = CASES[name]
        own = ours(models, video, a.frames)
        ref = reference(a.reference, models, video, a.frames)
        row = {"case": name, "p50_ms": _ms(own, 50), "p99_ms": _ms(own, 99)}
        if ref:
            row.update(ref_p50_ms=_ms(ref, 50), ref_p99_ms=_ms(ref, 99))
            row["p50_ratio"] = row["p50_ms"] / row["ref_p50_ms"]
        row["p99_over_p50"] = row["p99_ms"] / row["p50_ms"]
        rows.append(row)
        print(f"{name:22s} pose p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  "
              + (f"| reference p50 {row['ref_p50_ms']:7.1f} ms  p99 {row['ref_p99_ms']:7.1f} ms"
                 f"  | p50 ratio {row['p50_ratio']:.2f}" if ref else "| reference: n/a")
              + f"  | p99/p50 {row['p99_over_p50']:.2f}", flush=True)
    print(json.dumps({"frames": a.frames, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
