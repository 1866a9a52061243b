#!/usr/bin/env python3
"""Fast mode (``--precision int8``) vs exact mode (fp32): speed and deviation (issue 11).

Runs ``pose track`` on the same video and models in exact mode and in the fast mode, each
from a warm cache (one untimed run first, so the int8 run is timed with its quantized model
cached and the fp32 run with its conversion cached), and prints:

* end-to-end FPS of each (frames ÷ wall time of the whole command) and the ratio to the
  reference's 13.6 FPS (issue 11; ``--reference-fps``);
* the share of frames with the same number of instances;
* the share of points within 0.5 px of the exact mode's (instances paired per frame by the
  Hungarian method on mean node distance; a node visible in one output and not the other
  counts as a miss).

Usage:
    python benchmarks/bench_fast_mode.py            # top-down and bottom-up, all 1100 frames
    python benchmarks/bench_fast_mode.py --mode bottomup --frames 0-199

Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "tests" / "data" / "models" / "sleapnn"
MODES = {
    "topdown": [MODELS / "centroid", MODELS / "centered_instance"],
    "bottomup": [MODELS / "bottomup"],
}


def run_track(video: str, models: list[Path], out: str, precision: str, frames: str | None,
              extra: list[str]) -> float:
    """Run ``pose track``; return its wall time in seconds."""
    cmd = [str(Path(sys.executable).with_name("pose")), "track", "--data_path", video]
    for m in models:
        cmd += ["--model_paths", str(m)]
    cmd += ["-o", out, "--precision", precision, "--device", "cpu", *extra]
    if frames:
        cmd += ["--frames", frames]
    t = time.perf_counter()
    r = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    wall = time.perf_counter() - t
    if r.returncode:
        sys.stderr.write(r.stderr[-3000:])
        raise SystemExit(f"pose track failed ({r.returncode}): {' '.join(cmd)}")
    return wall


def load_points(path: str) -> dict[int, np.ndarray]:
    """Frame index → float64 ``(n_instances, n_nodes, 2)`` (NaN = node not visible)."""
    import sleap_io as sio

    labels = sio.load_slp(path)
    out: dict[int, np.ndarray] = {}
    for lf in labels.labeled_frames:
        pts = [inst.numpy()[:, :2].astype(np.float64) for inst in lf.instances]
        n_nodes = len(labels.skeletons[0].nodes)
        out[int(lf.frame_idx)] = np.stack(pts) if pts else np.zeros((0, n_nodes, 2))
    return out


def deviation(exact: dict[int, np.ndarray], fast: dict[int, np.ndarray],
              tol: float = 0.5) -> tuple[float, float, int, int, float]:
    """(same-count frame share, point share within ``tol`` px, frames, points, max px).

    Every frame present in either output counts. Points: for each node of each exact
    instance paired to a fast instance (Hungarian on mean distance), plus every node of
    unpaired instances (misses), visible in at least one of the pair.
    """
    from scipy.optimize import linear_sum_assignment

    frames = sorted(set(exact) | set(fast))
    same = ok = total = 0
    worst = 0.0
    for f in frames:
        a = exact.get(f, np.zeros((0, 0, 2)))
        b = fast.get(f, np.zeros((0, 0, 2)))
        same += int(len(a) == len(b))
        if len(a) and len(b):
            d = np.linalg.norm(a[:, None] - b[None], axis=-1)  # (na, nb, nodes)
            cost = np.nanmean(np.where(np.isnan(d), 1e6, d), axis=-1)
            ri, ci = linear_sum_assignment(cost)
        else:
            ri = ci = np.zeros(0, int)
        for i, j in zip(ri, ci, strict=True):
            va, vb = ~np.isnan(a[i, :, 0]), ~np.isnan(b[j, :, 0])
            both = va & vb
            dist = np.linalg.norm(a[i] - b[j], axis=-1)[both]
            total += int((va | vb).sum())
            ok += int((dist <= tol).sum())
            if dist.size:
                worst = max(worst, float(dist.max()))
        for i in set(range(len(a))) - set(ri.tolist()):
            total += int((~np.isnan(a[i, :, 0])).sum())
        for j in set(range(len(b))) - set(ci.tolist()):
            total += int((~np.isnan(b[j, :, 0])).sum())
    return same / max(len(frames), 1), ok / max(total, 1), len(frames), total, worst


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", default=str(ROOT / "tests/data/videos/centered_pair_small.mp4"))
    p.add_argument("--mode", choices=[*MODES, "both"], default="both")
    p.add_argument("--frames", default=None, help="e.g. 0-199 (default: all)")
    p.add_argument("--fast", default="int8", help="fast precision to compare")
    p.add_argument("--reference-fps", type=float, default=13.6)
    p.add_argument("--repeats", type=int, default=1, help="timed runs per mode (best kept)")
    args, extra = p.parse_known_args(argv)

    import cv2

    cap = cv2.VideoCapture(args.video)
    n_video = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    if args.frames:
        a, _, b = args.frames.partition("-")
        n_frames = int(b or a) - int(a) + 1
    else:
        n_frames = n_video
    modes = list(MODES) if args.mode == "both" else [args.mode]
    with tempfile.TemporaryDirectory() as tmp:
        for mode in modes:
            res: dict[str, tuple[float, str]] = {}
            for precision in ("fp32", args.fast):
                out = os.path.join(tmp, f"{mode}.{precision}.slp")
                first = run_track(args.video, MODES[mode], out, precision, args.frames, extra)
                walls = [run_track(args.video, MODES[mode], out, precision, args.frames, extra)
                         for _ in range(args.repeats)]
                res[precision] = (min(walls), out)
                print(f"{mode:9s} {precision:5s} first run {n_frames / first:6.1f} FPS, "
                      f"cached {n_frames / min(walls):6.1f} FPS "
                      f"({n_frames / min(walls) / args.reference_fps:.2f}x reference)",
                      flush=True)
            same, close, nf, npts, worst = deviation(load_points(res["fp32"][1]),
                                                    load_points(res[args.fast][1]))
            speed = res["fp32"][0] / res[args.fast][0]
            print(f"{mode:9s} {args.fast} vs fp32: {speed:.2f}x faster end to end; same "
                  f"instance count on {100 * same:.2f}% of {nf} frames; {100 * close:.2f}% of "
                  f"{npts} points within 0.5 px (max paired deviation {worst:.2f} px)",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
