#!/usr/bin/env python3
"""Cost and identity quality of tracking (issue 5: < 1 ms/frame for two 13-node animals).

    .venv/bin/python benchmarks/bench_tracking.py [--labels tests/data/labels/clip.slp]
        [--repeat 3] [--reference-venv ~/.cache/pose-reference/venv]
        [--identity-input tests/data/labels/clip.predictions.untracked.slp
         --identity-gt tests/data/labels/clip.2node.slp]

Loads the labels once (tracks ignored), then times only the tracker: ``track()`` on every frame
in order plus ``finalize()``, for the online modes (reference-exact) and the global mode. Prints
ms/frame (best of ``--repeat``). With ``--reference-venv``, also times ``sleap-nn track -t`` on
the same file end to end and reports the tracking time it logs ("Total runtime"), for context.
Then tracks ``--identity-input`` (the public identity benchmark by default) with every mode and
scores it against ``--identity-gt`` with :func:`pose_domain.metrics.identity.identity_metrics`,
the same scorer as ``pose eval`` (ADR-0080). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time


def _run(frames, options):
    from pose_app.track import build_tracker
    from pose_domain.instance import LabeledFrame

    tracker = build_tracker(options, max_instances=None)
    out = []
    for fr in frames:
        got = tracker.track(fr.user_instances or fr.predicted_instances, fr.frame_idx)
        out.append(LabeledFrame(video_index=fr.video_index, frame_idx=fr.frame_idx,
                                instances=list(got)))
    return tracker.finalize(out)


def _bench(frames, options, repeat: int) -> float:
    from pose_app.track import build_tracker
    from pose_domain.instance import LabeledFrame

    best = float("inf")
    for _ in range(repeat):
        tracker = build_tracker(options, max_instances=None)
        t0 = time.perf_counter()
        out = []
        for fr in frames:
            insts = fr.user_instances or fr.predicted_instances
            got = tracker.track(insts, fr.frame_idx)
            out.append(LabeledFrame(video_index=fr.video_index, frame_idx=fr.frame_idx,
                                    instances=list(got)))
        tracker.finalize(out)
        best = min(best, time.perf_counter() - t0)
    return best / max(len(frames), 1) * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", default="tests/data/labels/clip.slp")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reference-venv", default=None)
    ap.add_argument("--identity-input", default="tests/data/labels/clip.predictions.untracked.slp")
    ap.add_argument("--identity-gt", default="tests/data/labels/clip.2node.slp")
    a = ap.parse_args()

    from pose_adapters.slp import SlpLabelsStore
    from pose_app.options import TrackingOptions

    ds = SlpLabelsStore().load(a.labels)
    frames = sorted(ds.frames, key=lambda f: (f.video_index, f.frame_idx))
    n_nodes = ds.skeleton.n_nodes if ds.skeleton else 0
    n_inst = sum(len(f.instances) for f in frames)
    print(f"{a.labels}: {len(frames)} frames, {n_inst} instances, {n_nodes} nodes")
    modes = {
        "online fixed_window (default)": TrackingOptions(),
        "online local_queues --max_tracks 2": TrackingOptions.from_flags(
            candidates_method="local_queues", max_tracks=2
        ),
        "global": TrackingOptions(tracker="global"),
    }
    for name, opts in modes.items():
        print(f"  {name:38s} {_bench(frames, opts, a.repeat):7.3f} ms/frame")
    if a.identity_input and a.identity_gt:
        from pose_domain.metrics.identity import identity_metrics

        gt = SlpLabelsStore().load(a.identity_gt)
        src = SlpLabelsStore().load(a.identity_input)
        inp = sorted(src.frames, key=lambda f: (f.video_index, f.frame_idx))
        print(f"identity: {a.identity_input} vs {a.identity_gt} (pose eval's measure)")
        for name, opts in modes.items():
            m = identity_metrics(gt.frames, _run(inp, opts))
            print(f"  {name:38s} {m['id_switches']:3d} switches  IDF1 {m['idf1']:.4f}  "
                  f"(CLEAR-MOT switches {m['id_switches_clearmot']}, "
                  f"IDF1 all pairs {m['idf1_all_pairs']:.4f})")
    if a.reference_venv:
        exe = os.path.join(os.path.expanduser(a.reference_venv), "bin", "sleap-nn")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "ref.slp")
            t0 = time.perf_counter()
            proc = subprocess.run([exe, "track", "-i", a.labels, "-t", "-o", out],
                                  capture_output=True, text=True, check=False)
            wall = time.perf_counter() - t0
            m = re.search(r"Total runtime: ([0-9.]+)", proc.stdout + proc.stderr)
            if m:
                ms = float(m.group(1)) / len(frames) * 1000
                print(f"  sleap-nn track -t (its logged tracking time) {ms:7.3f} ms/frame "
                      f"(whole command {wall:.1f} s)")
            else:
                print(f"  sleap-nn failed (rc {proc.returncode})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
