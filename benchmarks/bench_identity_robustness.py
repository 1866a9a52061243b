#!/usr/bin/env python3
"""Guard rails for identity tracking: proofread truth, corrupted like real predictions.

    .venv/bin/python benchmarks/bench_identity_robustness.py [--seeds 0 1 2]
        [--config "nodes.gate=1.5, link.max_gap=15" ...]

The public identity benchmark (issue 5) is one clip; tuning the offline tracker on it alone
would fit that clip. This script takes the proofread identities of ``clip.slp`` (13 nodes) and
``clip.2node.slp`` (head/thorax), removes the tracks and corrupts the poses the way a weak
bottom-up model does (each corruption seeded, so runs are comparable):

* ``noise``: Gaussian jitter of every node (px).
* ``missed``: an animal lost for stretches of up to 60 frames.
* ``alternating``: stretches where only one of the two animals is found per frame, at random
  (close animals in a bottom-up model).
* ``nodes``: single nodes missing.
* ``joined``: nodes of both animals grouped into one instance (the other animal's instance
  lost in that frame), in bursts.
* ``flips``: an animal's head/thorax labels swapped for stretches of up to 80 frames.
* ``flicker``: in such stretches, swapped in a random half of the frames only.

Each corrupted video is tracked by the online tracker (reference defaults) and by
``--tracker global`` with each ``--config`` (``GlobalConfig`` overrides as
``section.field=value`` or ``n_identities=value``, comma-separated, the default config first)
and scored with :func:`pose_domain.metrics.identity.identity_metrics` (ADR-0080):
switches / IDF1. Not a test: it prints a table for an ADR.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import numpy as np


def _truth(path: str) -> tuple[list[np.ndarray], list[list[str]], list[int]]:
    from pose_adapters.slp import SlpLabelsStore

    ds = SlpLabelsStore().load(path)
    frames = sorted(ds.frames, key=lambda f: f.frame_idx)
    pts = [np.stack([i.points for i in f.instances]) for f in frames]
    names = [[i.track.name for i in f.instances] for f in frames]
    return pts, names, [f.frame_idx for f in frames]


def _stretches(rng: np.random.Generator, n: int, rate: float, longest: int) -> np.ndarray:
    """``(n,)`` bool: about ``rate`` of the frames covered by stretches of 1..longest."""
    out = np.zeros(n, bool)
    while out.mean() < rate:
        a = int(rng.integers(0, n))
        out[a:a + int(rng.integers(1, longest + 1))] = True
    return out


def corrupt(
    pts: list[np.ndarray],
    names: list[list[str]],
    rng: np.random.Generator,
    kind: str,
    flip_pair: tuple[int, int],
) -> list[np.ndarray]:
    """A corrupted copy of per-frame poses ``(n_i, N, 2)`` (rows keep the truth's order)."""
    n = len(pts)
    out = [p.astype(np.float64).copy() for p in pts]
    n_nodes = out[0].shape[1]
    noise = {"noise": 8.0, "missed": 3.0, "alternating": 3.0, "nodes": 3.0, "joined": 3.0,
             "flips": 3.0, "flicker": 3.0, "all": 6.0}[kind]
    for p in out:
        p += rng.normal(0, noise, p.shape)
    ids = sorted({nm for row in names for nm in row})
    if kind in ("flips", "flicker", "all"):
        a, b = flip_pair
        for nm in ids:
            bad = _stretches(rng, n, 0.08, 80)
            if kind == "flicker":  # labels swapped at random, frame by frame, in the stretches
                bad &= rng.random(n) < 0.5
            for f in np.flatnonzero(bad):
                for row in (r for r, x in enumerate(names[f]) if x == nm):
                    out[f][row, [a, b]] = out[f][row, [b, a]]
    if kind in ("nodes", "all"):
        for p in out:
            p[rng.random(p.shape[:2]) < 0.1] = np.nan
    if kind in ("joined", "all"):
        bad = _stretches(rng, n, 0.05, 10)
        for f in np.flatnonzero(bad):
            p = out[f]
            if len(p) == 2:
                take = rng.random(n_nodes) < 0.5
                merged = np.where(take[:, None], p[0], p[1])
                out[f] = merged[None]
    lost = {nm: np.zeros(n, bool) for nm in ids}
    if kind in ("missed", "all"):
        lost = {nm: _stretches(rng, n, 0.06, 60) for nm in ids}
    if kind == "alternating":
        # stretches where the detector finds one of two close animals per frame, at random
        both = _stretches(rng, n, 0.1, 40)
        pick = rng.integers(0, len(ids), n)
        for j, nm in enumerate(ids):
            lost[nm] = both & (pick != j)
    res = []
    for f, p in enumerate(out):
        keep = [r for r in range(len(p))
                if r < len(names[f]) and not lost[names[f][r]][f] and not np.isnan(p[r]).all()]
        if len(p) < len(names[f]):  # a joined instance stands for both animals
            keep = [0] if not np.isnan(p[0]).all() else []
        res.append(p[keep] if keep else np.zeros((0, n_nodes, 2)))
    return res


def _frames(pts: list[np.ndarray], fidx: list[int]):  # type: ignore[no-untyped-def]
    from pose_domain.instance import LabeledFrame, PredictedInstance

    return [
        LabeledFrame(0, fi, [
            PredictedInstance.from_arrays(q, np.ones(len(q)), 1.0) for q in p
        ])
        for p, fi in zip(pts, fidx)
    ]


def _score(track: Callable, truth_path: str, pts: list[np.ndarray], fidx: list[int]) -> str:  # type: ignore[type-arg]
    from pose_adapters.slp import SlpLabelsStore
    from pose_domain.metrics.identity import identity_metrics

    gt = SlpLabelsStore().load(truth_path)
    m = identity_metrics(gt.frames, track(_frames(pts, fidx)))
    return f"{m['id_switches']:3d}/{m['idf1']:.4f}"


def _overrides(text: str) -> dict[str, object]:
    """``"nodes.gate=1.5, link.max_gap=15"`` -> ``{"nodes.gate": 1.5, "link.max_gap": 15}``."""
    import ast
    import re

    out: dict[str, object] = {}
    for item in filter(None, (x.strip() for x in re.split(r",\s*(?=[\w.]+\s*=)", text))):
        key, _, value = item.partition("=")
        out[key.strip()] = ast.literal_eval(value.strip())
    return out


def global_config(overrides: dict[str, object]):  # type: ignore[no-untyped-def]
    """The default ``GlobalConfig`` with ``section.field`` (or top-level) overrides."""
    import attrs

    from pose_domain.tracking import GlobalConfig

    cfg = GlobalConfig()
    for key, value in overrides.items():
        section, _, field = key.rpartition(".")
        if not section:
            cfg = attrs.evolve(cfg, **{field: value})
        else:
            sub = attrs.evolve(getattr(cfg, section), **{field: value})
            cfg = attrs.evolve(cfg, **{section: sub})
    return cfg


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--config", action="append", default=[])
    ap.add_argument("--kinds", nargs="+",
                    default=["noise", "missed", "alternating", "nodes", "joined", "flips",
                             "flicker", "all"])
    a = ap.parse_args()

    from pose_app.options import TrackingOptions
    from pose_app.track import build_tracker
    from pose_domain.instance import LabeledFrame
    from pose_domain.tracking import GlobalTracker

    def online(frames):  # type: ignore[no-untyped-def]
        tr = build_tracker(TrackingOptions(), max_instances=None)
        out = [LabeledFrame(0, f.frame_idx, list(tr.track(f.instances, f.frame_idx)))
               for f in frames]
        return tr.finalize(out)

    def offline(kw: dict[str, object]) -> Callable:  # type: ignore[type-arg]
        def run(frames):  # type: ignore[no-untyped-def]
            tr = GlobalTracker(global_config(kw))
            out = [LabeledFrame(0, f.frame_idx, list(tr.track(f.instances, f.frame_idx)))
                   for f in frames]
            return tr.finalize(out)
        return run

    configs = [("global (default)", {})] + [
        (c, _overrides(c)) for c in a.config
    ]
    truths = {
        "clip.slp (13 nodes)": ("tests/data/labels/clip.slp", (0, 1)),
        "clip.2node.slp": ("tests/data/labels/clip.2node.slp", (0, 1)),
    }
    header = f"{'data':22s} {'corruption':8s} {'seed':>4s} {'online':>12s} " + " ".join(
        f"{name[:24]:>24s}" for name, _ in configs
    )
    print(header)
    for label, (path, pair) in truths.items():
        pts, names, fidx = _truth(path)
        for kind in a.kinds:
            for seed in a.seeds:
                bad = corrupt(pts, names, np.random.default_rng(seed), kind, pair)
                row = [_score(online, path, bad, fidx)]
                row += [_score(offline(kw), path, bad, fidx) for _, kw in configs]
                print(f"{label:22s} {kind:8s} {seed:4d} {row[0]:>12s} "
                      + " ".join(f"{r:>24s}" for r in row[1:]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
