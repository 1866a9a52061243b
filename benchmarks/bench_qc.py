#!/usr/bin/env python3
"""Can a proofreader trust the first events of ``pose qc``? (issues 19 and 27)

    PYTHONPATH=src .venv/bin/python benchmarks/bench_qc.py [--seeds 0 1 2 100 101 102]
        [--kinds alternating joined all] [--cache FILE] [--verbose]

For each tracked file of :mod:`qc_cases` (tracker runs on the public clip, injected swaps and
breaks, robustness corruptions; each row is ``tune`` or ``held-out``), the true identity
switches are those ``pose eval`` counts (per-frame matching against the proofread truth).
Switch frames within ±3 frames of each other form one cluster (one error); ``c`` = clusters.
Columns: precision and recall of the first ``c`` events of ``pose qc`` (all kinds ranked
together; an event is a hit when it is a swap/break within ±3 frames of a true switch, a
cluster is found when such an event is among them), the same at ``2c``, and at the report's
"probably fine" cut-off (``likely``: the events above it). Target (issue 27): precision and
recall ≥ 0.9 at ``c``. ``runs``, ``P@r``, ``R@r``: the same at ``k`` = the number of error
runs (switches that share a true track and chain within 30 frames, one fix for a
proofreader: :func:`pose_domain.qc.recall.error_runs`, ADR-0192). ``--cache`` keeps the
tracked cases in a pickle between runs. Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def measure(gt, pred, verbose: bool = False) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from pose_domain.metrics.identity import identity_switches
    from pose_domain.qc import detect_identity_events
    from pose_domain.qc.recall import (
        cluster_frames,
        error_runs,
        precision_recall_at,
        precision_recall_runs,
    )

    logged = identity_switches(gt, pred)
    switches = [s.frame_idx for s in logged]
    runs = error_runs([(s.frame_idx, s.gt_track) for s in logged])
    rep = detect_identity_events(pred)
    events = list(rep.events)
    scored = [(e.score, e.kind in ("swap", "break") and any(abs(e.frame_idx - f) <= 3
                                                            for f in switches))
              for e in events]
    c = len(cluster_frames(switches, 3))
    at1 = precision_recall_at(switches, events, c)
    at2 = precision_recall_at(switches, events, 2 * c)
    n_likely = sum(e.likely for e in events)
    cut = precision_recall_at(switches, events, n_likely)
    at_runs = precision_recall_runs(runs, events, len(runs))
    if verbose:
        print("    runs:", [f"{lo}-{hi}" if hi > lo else lo for lo, hi in runs])
        clusters = cluster_frames(switches, 3)
        print("    clusters:", [cl[0] if len(cl) == 1 else f"{cl[0]}-{cl[-1]}"
                                for cl in clusters])
        for r, e in enumerate(events[: max(2 * c, n_likely) + 3], 1):
            hit = any(abs(e.frame_idx - f) <= 3 for f in switches)
            print(f"    {r:3d} {'HIT ' if hit else '    '}{e.frame_idx:5d} {e.kind:5s} "
                  f"{','.join(e.tracks):24s} p={e.score:.2f} {'likely' if e.likely else ''}"
                  f"  {e.why[:150]}")
    return {"switches": len(switches), "c": c, "p1": at1.precision, "r1": at1.recall,
            "p2": at2.precision, "r2": at2.recall, "likely": n_likely, "pc": cut.precision,
            "rc": cut.recall, "scored": scored, "runs": len(runs), "pr": at_runs.precision,
            "rr": at_runs.recall}


def _load(a: argparse.Namespace) -> list:  # type: ignore[type-arg]
    from qc_cases import cases

    if a.cache and os.path.exists(a.cache):
        with open(a.cache, "rb") as fh:
            return list(pickle.load(fh))
    out = list(cases(a.seeds, a.kinds))
    if a.cache:
        with open(a.cache, "wb") as fh:
            pickle.dump(out, fh)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 100, 101, 102, 103])
    ap.add_argument("--kinds", nargs="+", default=["alternating", "joined", "all"])
    ap.add_argument("--cache", default=None, help="pickle of the tracked cases (reused)")
    ap.add_argument("--only", default=None,
                    help="rows whose name contains this ('trackers': the tracker runs)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)

    rows = []
    reliability: dict[str, list[tuple[float, bool]]] = {}
    print(f"{'case':38s} {'group':8s} {'sw':>4s} {'c':>3s} {'P@c':>5s} {'R@c':>5s} "
          f"{'P@2c':>5s} {'R@2c':>5s} {'likely':>6s} {'P@cut':>5s} {'R@cut':>5s} "
          f"{'runs':>4s} {'P@r':>5s} {'R@r':>5s}")
    for name, group, gt, pred in _load(a):
        if a.only and not (a.only in name or (a.only == "trackers" and "seed" not in name)):
            continue
        m = measure(gt, pred, a.verbose)
        if m["c"] == 0:
            print(f"{name:38s} {group:8s} no switch, skipped ({m['likely']} likely events)")
            continue
        rows.append((group, m))
        reliability.setdefault(group, []).extend(m["scored"])
        flag = "" if min(m["p1"], m["r1"]) >= 0.9 else "  <0.9"
        print(f"{name:38s} {group:8s} {m['switches']:4d} {m['c']:3d} {m['p1']:5.2f} "
              f"{m['r1']:5.2f} {m['p2']:5.2f} {m['r2']:5.2f} {m['likely']:6d} {m['pc']:5.2f} "
              f"{m['rc']:5.2f} {m['runs']:4d} {m['pr']:5.2f} {m['rr']:5.2f}{flag}", flush=True)
    for group in ("tune", "held-out"):
        ms = [m for g, m in rows if g == group]
        if not ms:
            continue
        mean = {k: float(np.mean([m[k] for m in ms])) for k in ("p1", "r1", "p2", "r2", "pc",
                                                               "rc", "pr", "rr")}
        ok = sum(min(m["p1"], m["r1"]) >= 0.9 for m in ms)
        print(f"{group:9s} rows {len(ms):3d}  mean P@c {mean['p1']:.3f} R@c {mean['r1']:.3f}"
              f"  P@2c {mean['p2']:.3f} R@2c {mean['r2']:.3f}  P@cut {mean['pc']:.3f} "
              f"R@cut {mean['rc']:.3f}  P@runs {mean['pr']:.3f} R@runs {mean['rr']:.3f}  "
              f"rows with both >= 0.9 at c: {ok}/{len(ms)}; "
              f"worst min(P,R)@c {min(min(m['p1'], m['r1']) for m in ms):.2f}")
    print("calibration (all events of the rows with a switch): score bin -> share real")
    for group, pairs in reliability.items():
        arr = np.array(pairs, dtype=float)
        cells = []
        for lo, hi in ((0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
            sel = arr[(arr[:, 0] >= lo) & (arr[:, 0] < hi)]
            share = f"{sel[:, 1].mean():.2f}" if len(sel) else "  - "
            cells.append(f"[{lo:.1f},{min(hi, 1):.1f}) {share} (n={len(sel)})")
        print(f"  {group:9s} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
