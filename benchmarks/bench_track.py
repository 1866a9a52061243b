#!/usr/bin/env python3
"""Side-by-side benchmark: ``pose track`` vs the reference ``sleap-nn track`` (issue 11).

Runs both on the same video, models and flags in one run, and prints end-to-end FPS
(frames ÷ wall time of the whole command), the ratio, peak RSS of each process, and the
forward-only FPS of the runtime pose chose. Optionally checks parity with compare_slp.

Usage:
    python benchmarks/bench_track.py --video tests/data/videos/centered_pair_small.mp4 \
        -m tests/data/models/sleapnn/centroid -m tests/data/models/sleapnn/centered_instance \
        [--frames 0-1099] [--reference-venv ~/.cache/pose-reference/venv] [--loop 10] \
        [-- extra pose/sleap-nn flags]

``--loop N`` makes a video N times longer (concatenating the frames with OpenCV) to show that
memory stays flat. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd`` inside a fresh Python so the child's peak RSS is its own."""
    code = (
        "import json,resource,subprocess,sys,time;"
        "t=time.perf_counter();r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
        "stderr=subprocess.PIPE,text=True);w=time.perf_counter()-t;"
        "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024;"
        "sys.stderr.write(r.stderr[-3000:] if r.returncode else '');"
        "print(json.dumps([w,m,r.returncode]))"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True,
                         check=False)
    if out.stderr:
        print(out.stderr, file=sys.stderr)
    w, m, rc = json.loads(out.stdout.strip().splitlines()[-1])
    return float(w), float(m), int(rc)


def loop_video(src: str, times: int, dst: str) -> str:
    import cv2

    cap = cv2.VideoCapture(src)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(dst, cv2.VideoWriter_fourcc(*"mp4v"), 15, (w, h))
    for _ in range(times):
        for f in frames:
            out.write(f)
    out.release()
    return dst


def count_frames(path: str) -> int:
    import cv2

    cap = cv2.VideoCapture(path)
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", required=True)
    ap.add_argument("-m", "--model", action="append", required=True)
    ap.add_argument("--frames", default="")
    ap.add_argument("--reference-venv",
                    default=os.path.expanduser("~/.cache/pose-reference/venv"))
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--loop", type=int, default=1)
    ap.add_argument("--pose", default=str(Path(sys.executable).parent / "pose"))
    ap.add_argument("--runtime", default="auto")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="pose-bench-")
    video = a.video
    if a.loop > 1:
        video = loop_video(a.video, a.loop, os.path.join(tmp, "looped.mp4"))
    n_total = count_frames(video)
    n = n_total
    if a.frames:
        lo, hi = a.frames.split("-")
        n = min(int(hi), n_total - 1) - int(lo) + 1
    models = [x for m in a.model for x in ("-m", m)]
    frames = ["--frames", a.frames] if a.frames else []
    common = ["-i", video, *models, *frames, "--batch_size", str(a.batch_size), *a.extra]

    rows = []
    pose_out = os.path.join(tmp, "pose.slp")
    w, rss, rc = measure([a.pose, "track", *common, "-o", pose_out, "--device", "cpu",
                          "--runtime", a.runtime, "--precision", a.precision,
                          "--progress", "none"])
    rows.append(("pose", w, rss, rc))
    ref_out = os.path.join(tmp, "ref.slp")
    ref_exe = os.path.join(a.reference_venv, "bin", "sleap-nn")
    if not a.no_reference and os.path.exists(ref_exe):
        w, rss, rc = measure([ref_exe, "track", *common, "-o", ref_out, "--device", "cpu"])
        rows.append(("sleap-nn 0.3.5", w, rss, rc))

    print(f"video {a.video} ×{a.loop}: {n} frames; models {a.model}; flags {a.extra}")
    print(f"{'tool':<16}{'seconds':>10}{'FPS':>10}{'peak RSS MB':>14}{'rc':>5}")
    for name, w, rss, rc in rows:
        print(f"{name:<16}{w:>10.2f}{n / w:>10.2f}{rss:>14.0f}{rc:>5}")
    if len(rows) == 2 and rows[0][3] == 0 and rows[1][3] == 0:
        print(f"speed-up (end-to-end FPS ratio): {rows[1][1] / rows[0][1]:.2f}x")
        cmp = subprocess.run([sys.executable, str(ROOT / "tests/tools/compare_slp.py"),
                              ref_out, pose_out], capture_output=True, text=True, check=False)
        print("parity (compare_slp):", "OK" if cmp.returncode == 0 else "DIFFERS")
        print(cmp.stdout.strip())
    fwd = ROOT / "benchmarks" / "bench_forward.py"
    if fwd.exists():
        for m in a.model:
            subprocess.run([sys.executable, str(fwd), m, "--batch-size", str(a.batch_size)],
                           check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
