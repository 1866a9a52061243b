#!/usr/bin/env python3
"""Fast modes (bf16, int8) vs exact fp32 vs the reference, in one run (issue 26).

For each pipeline (top-down, bottom-up) on the same frames, end to end (whole ``pose track``
process, batch 4):

* the reference (``sleap-nn track`` from a separate venv, ``--reference``; skipped and
  reported "unmeasured" when absent), exact fp32, ``--precision bf16`` and ``--precision
  int8``: wall time, FPS and speed-up over the reference. Each pose mode runs once untimed
  first (conversion, int8 calibration and compiled-blob caches filled, as for every run after
  a model's first), then ``--repeats`` timed runs (best kept);
* each fast mode's agreement with exact on every frame: instance counts equal, paired-node
  distance p50/p90/p99 (px), and the run's own sampled check (its one line);
* accuracy against labels with ``pose eval`` (mOKS, mPCK, distance p50/p90) and identity
  switches of the tracked runs;
* the CPU features every number holds for (``pose system``'s bf16/int8 lines).

Labels: ``--gt LABELS.slp`` (skeleton A/B like the fixture models). Default: built from
``centered_pair_predictions.slp`` (the 24-node SLEAP predictions shipped with the clip: ``head``
→ A, ``abdomen`` → B; model labels, not human ones).

Usage:
    python benchmarks/bench_fast_mode.py                         # 400 frames, both pipelines
    python benchmarks/bench_fast_mode.py --frames 0-99 --modes bottomup --precisions fp32,int8
    python benchmarks/bench_fast_mode.py --reference /work/refenv/bin/sleap-nn

Not a test: timings depend on the machine; run it with nothing else running.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "tests" / "data" / "models" / "sleapnn"
DATA = ROOT.parent / "shared" / "fixtures" / "data"
PIPELINES = {
    "topdown": [MODELS / "centroid", MODELS / "centered_instance"],
    "bottomup": [MODELS / "bottomup"],
}
POSE = str(Path(sys.executable).with_name("pose"))


def cpu_line() -> str:
    """The CPU model and the features that decide what bf16 / int8 run on."""
    flags: set[str] = set()
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    want = ["avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16", "amx_int8"]
    have = [f for f in want if f in flags] or ["none of avx2/avx512/amx"]
    return f"{model}, {os.cpu_count()} CPUs: {' '.join(have)}"


def run(cmd: list[str]) -> tuple[float, str]:
    """Run ``cmd``; (wall seconds, stderr)."""
    t = time.perf_counter()
    r = subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    wall = time.perf_counter() - t
    if r.returncode:
        sys.stderr.write(r.stderr[-3000:])
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}")
    return wall, r.stderr


def track_cmd(exe: list[str], video: str, models: list[Path], out: str, frames: str,
              batch: int, tracking: bool, extra: list[str]) -> list[str]:
    cmd = [*exe, "--data_path", video]
    for m in models:
        cmd += ["--model_paths", str(m)]
    cmd += ["-o", out, "--device", "cpu", "--batch_size", str(batch), "--frames", frames]
    if tracking:
        cmd += ["--tracking"]
    return cmd + extra


def load_points(path: str) -> dict[int, np.ndarray]:
    """Frame index → ``(n_instances, n_nodes, 2)`` (NaN = node not found)."""
    import sleap_io as sio

    labels = sio.load_slp(path)
    n_nodes = len(labels.skeletons[0].nodes)
    out: dict[int, np.ndarray] = {}
    for lf in labels.labeled_frames:
        pts = [inst.numpy()[:, :2].astype(np.float64) for inst in lf.instances]
        out[int(lf.frame_idx)] = np.stack(pts) if pts else np.zeros((0, n_nodes, 2))
    return out


def deviation(exact: dict[int, np.ndarray], fast: dict[int, np.ndarray]) -> dict[str, float]:
    """Every frame: same-count share; paired-node distance percentiles (px); nodes found by
    one mode only. Instances paired by the Hungarian method on mean node distance."""
    from scipy.optimize import linear_sum_assignment

    frames = sorted(set(exact) | set(fast))
    same = missed = 0
    dists: list[np.ndarray] = []
    for f in frames:
        a = exact.get(f, np.zeros((0, 2, 2)))
        b = fast.get(f, np.zeros((0, 2, 2)))
        same += int(len(a) == len(b))
        ri = ci = np.zeros(0, int)
        if len(a) and len(b):
            d = np.linalg.norm(a[:, None] - b[None], axis=-1)
            ri, ci = linear_sum_assignment(np.nanmean(np.where(np.isnan(d), 1e6, d), axis=-1))
        for i, j in zip(ri, ci, strict=True):
            va, vb = ~np.isnan(a[i, :, 0]), ~np.isnan(b[j, :, 0])
            dists.append(np.linalg.norm(a[i] - b[j], axis=-1)[va & vb])
            missed += int((va ^ vb).sum())
        missed += sum(int((~np.isnan(a[i, :, 0])).sum()) for i in set(range(len(a))) - set(ri))
        missed += sum(int((~np.isnan(b[j, :, 0])).sum()) for j in set(range(len(b))) - set(ci))
    d = np.concatenate(dists) if dists else np.zeros(1)
    return {"frames": len(frames), "counts_equal": same / max(len(frames), 1),
            "p50": float(np.percentile(d, 50)), "p90": float(np.percentile(d, 90)),
            "p99": float(np.percentile(d, 99)), "nodes_missed": missed}


def make_gt(video: str, frames: str, out: str) -> str:
    """Labels for ``frames`` from the 24-node SLEAP predictions (head → A, abdomen → B),
    tracks kept, as user instances."""
    import sleap_io as sio

    a, _, b = frames.partition("-")
    lo, hi = int(a), int(b or a)
    src = sio.load_slp(str(DATA / "centered_pair_predictions.slp"))
    names = [n.name for n in src.skeletons[0].nodes]
    ia, ib = names.index("head"), names.index("abdomen")
    sk = sio.Skeleton(nodes=["A", "B"], edges=[("A", "B")])
    vid = sio.Video.from_filename(video)
    tracks = {id(t): sio.Track(name=t.name) for t in src.tracks}
    lfs = []
    for lf in src.labeled_frames:
        if not lo <= lf.frame_idx <= hi:
            continue
        insts = [sio.Instance.from_numpy(i.numpy()[[ia, ib], :2], skeleton=sk,
                                         track=tracks.get(id(i.track)))
                 for i in lf.instances if not np.isnan(i.numpy()[[ia, ib], :2]).all()]
        if insts:
            lfs.append(sio.LabeledFrame(video=vid, frame_idx=lf.frame_idx, instances=insts))
    sio.save_slp(sio.Labels(labeled_frames=lfs, videos=[vid], skeletons=[sk],
                            tracks=list(tracks.values())), out)
    return out


def evaluate(gt: str, pred: str) -> dict[str, float | None]:
    r = subprocess.run([POSE, "eval", "-g", gt, "-p", pred, "--json"], check=True,
                       capture_output=True, text=True)
    res = json.loads(r.stdout)
    m = res["metrics"]
    ident = res.get("identity") or {}
    switches = next((v for k, v in ident.items() if "switch" in k.lower()), None)
    return {"mOKS": m["mOKS"], "mPCK": m["mPCK"], "dist.p50": m["dist.p50"],
            "dist.p90": m["dist.p90"], "id_switches": switches}


def agreement_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if "agreement with exact fp32" in ln]
    return re.sub(r"^pose: (warning: )?", "", lines[-1]) if lines else ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", default=str(DATA / "centered_pair_low_quality.mp4"))
    p.add_argument("--frames", default="0-399")
    p.add_argument("--modes", default="topdown,bottomup")
    p.add_argument("--precisions", default="fp32,bf16,int8")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--repeats", type=int, default=1, help="timed runs per mode (best kept)")
    p.add_argument("--no-track", action="store_true", help="run untracked (no id switches)")
    p.add_argument("--gt", default=None, help="labels .slp (default: see the docstring)")
    p.add_argument("--reference", default=os.environ.get("POSE_REFERENCE_SLEAP_NN", ""),
                   help="the reference's sleap-nn executable (separate venv)")
    p.add_argument("--json-out", default=None, help="also write every number here")
    args = p.parse_args(argv)
    a, _, b = args.frames.partition("-")
    n_frames = int(b or a) - int(a) + 1
    tracking = not args.no_track
    print(f"# {cpu_line()}; {n_frames} frames of {Path(args.video).name}, batch "
          f"{args.batch_size}, {'tracked' if tracking else 'untracked'}", flush=True)
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        gt = args.gt or make_gt(args.video, args.frames, os.path.join(tmp, "gt.slp"))
        for mode in args.modes.split(","):
            models = PIPELINES[mode]
            rows: dict[str, dict] = {}
            if args.reference and Path(args.reference).exists():
                out = os.path.join(tmp, f"{mode}.reference.slp")
                cmd = track_cmd([args.reference, "track"], args.video, models, out,
                                args.frames, args.batch_size, tracking, [])
                wall = min(run(cmd)[0] for _ in range(args.repeats))
                rows["reference"] = {"wall": wall, "out": out}
            for prec in args.precisions.split(","):
                out = os.path.join(tmp, f"{mode}.{prec}.slp")
                extra = ["--precision", prec]
                if prec != "fp32":
                    extra += ["--fast_below_contract", "continue"]
                cmd = track_cmd([POSE, "track"], args.video, models, out, args.frames,
                                args.batch_size, tracking, extra)
                first, _ = run(cmd)
                timed = [run(cmd) for _ in range(args.repeats)]
                wall, err = min(timed)
                rows[prec] = {"wall": wall, "first": first, "out": out,
                              "check": agreement_line(err)}
            exact = load_points(rows["fp32"]["out"]) if "fp32" in rows else None
            ref_wall = rows.get("reference", {}).get("wall")
            for name, row in rows.items():
                row["fps"] = n_frames / row["wall"]
                row["x_reference"] = ref_wall / row["wall"] if ref_wall else None
                row["vs_exact"] = (deviation(exact, load_points(row["out"]))
                                   if exact is not None and name != "fp32" else None)
                row["accuracy"] = evaluate(gt, row["out"])
                results.append({"mode": mode, "run": name, **{k: v for k, v in row.items()
                                                              if k != "out"}})
                _print_row(mode, name, row)
            if "reference" not in rows:
                print(f"{mode:9s} reference  unmeasured (no --reference sleap-nn executable)",
                      flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"cpu": cpu_line(), "frames": n_frames,
                                                   "results": results}, indent=1))
    return 0


def _print_row(mode: str, name: str, row: dict) -> None:
    x = f"{row['x_reference']:.2f}x ref" if row["x_reference"] else "ref unmeasured"
    acc = row["accuracy"]
    line = (f"{mode:9s} {name:10s} {row['wall']:6.1f} s {row['fps']:6.1f} FPS ({x})"
            + (f", first run {row['first']:.1f} s" if "first" in row else "")
            + f"; mOKS {acc['mOKS']:.4f} mPCK {acc['mPCK']:.4f} dist p50/p90 "
              f"{acc['dist.p50']:.2f}/{acc['dist.p90']:.2f} px; id switches "
              f"{acc['id_switches']}")
    v = row["vs_exact"]
    if v:
        line += (f"; vs exact: counts equal {100 * v['counts_equal']:.2f}% of {v['frames']} "
                 f"frames, p50/p90/p99 {v['p50']:.2f}/{v['p90']:.2f}/{v['p99']:.2f} px, "
                 f"{v['nodes_missed']} nodes missed")
    print(line, flush=True)
    if row.get("check"):
        print(f"{'':9s} {name:10s} self-check: {row['check']}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
