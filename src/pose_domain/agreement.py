"""Agreement of a fast mode's poses with exact fp32 poses on the same frames (ADR-0181).

A fast-mode run (bf16, int8) checks itself on a sample of its own frames: both modes predict
the sample, and :func:`agreement` says how often the instance counts are equal, how far the
paired points are apart, and (tracked samples) how often identities stay paired the same way.
:class:`Contract` is the bar a fast mode must clear.

    a = agreement(exact_frames, fast_frames)      # SampleFrame per sampled frame, same order
    ok = Contract().met_by(a)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from pose_domain.distance import mean_node_distance
from pose_domain.matching import hungarian


@attrs.frozen
class SampleFrame:
    """One sampled frame as one mode predicted it.

    Attributes:
        points: ``(n_instances, n_nodes, 2)`` px, NaN = node not found.
        tracks: Identity label per instance (any hashable; compared only within a window),
            or None when the sample is not tracked.
        window: Which run of consecutive frames the frame belongs to (identities are compared
            inside one window).
    """

    points: NDArray[np.float64]
    tracks: tuple[Hashable, ...] | None = None
    window: int = 0


@attrs.frozen
class Agreement:
    """How closely a fast mode follows exact fp32 on the sampled frames.

    Attributes:
        frames: Sampled frames.
        counts_equal: Share of frames with the same number of instances.
        points: Node positions compared (nodes found by both modes in paired instances).
        missed: Share of nodes found by one mode only (unpaired instances included).
        p50, p95, p99: Percentiles of the distance between paired nodes (px; 0 if none).
        identity: Share of paired tracked instances whose fast identity is the one that
            exact identity maps to in its window (None: untracked).
    """

    frames: int
    counts_equal: float
    points: int
    missed: float
    p50: float
    p95: float
    p99: float
    identity: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return attrs.asdict(self)


@attrs.frozen
class Contract:
    """The agreement a fast mode promises (ADR-0181).

    Attributes:
        min_counts_equal: Smallest share of frames with exact's instance count.
        max_p95_px: Largest 95th percentile of paired-node distances, px.
        max_missed: Largest share of nodes found by one mode only.
        min_identity: Smallest identity agreement when tracking.
    """

    min_counts_equal: float = 0.995
    max_p95_px: float = 2.0
    max_missed: float = 0.01
    min_identity: float = 0.995

    def shortfalls(self, a: Agreement) -> list[str]:
        """What falls short, one phrase each (empty: the contract is met)."""
        out = []
        if a.counts_equal < self.min_counts_equal:
            out.append(f"instance counts equal on {100 * a.counts_equal:.1f}% of frames "
                       f"(contract ≥ {100 * self.min_counts_equal:.1f}%)")
        if a.p95 > self.max_p95_px:
            out.append(f"point p95 {a.p95:.2f} px (contract ≤ {self.max_p95_px:g} px)")
        if a.missed > self.max_missed:
            out.append(f"{100 * a.missed:.1f}% of nodes found by one mode only "
                       f"(contract ≤ {100 * self.max_missed:.1f}%)")
        if a.identity is not None and a.identity < self.min_identity:
            out.append(f"identities agree on {100 * a.identity:.1f}% "
                       f"(contract ≥ {100 * self.min_identity:.1f}%)")
        return out

    def met_by(self, a: Agreement) -> bool:
        return not self.shortfalls(a)


def _visible(points: NDArray[np.float64]) -> NDArray[np.bool_]:
    return np.asarray(~np.isnan(points).any(axis=-1))


def agreement(exact: Sequence[SampleFrame], fast: Sequence[SampleFrame]) -> Agreement:
    """Compare two modes' predictions of the same frames (``exact[i]`` and ``fast[i]`` are
    one frame).

    Instances are paired per frame by the Hungarian method on mean node distance; pairs with
    no node in common stay unpaired.
    """
    if len(exact) != len(fast):
        raise ValueError("exact and fast must hold the same frames")
    same = 0
    dists: list[NDArray[np.float64]] = []
    compared = missed = 0
    pairs: dict[tuple[int, Hashable], Counter[Hashable]] = {}
    tracked = bool(exact) and all(f.tracks is not None for f in (*exact, *fast))
    for e, f in zip(exact, fast, strict=True):
        ea, fa = np.asarray(e.points, np.float64), np.asarray(f.points, np.float64)
        same += int(len(ea) == len(fa))
        rows: list[int] = []
        cols: list[int] = []
        if len(ea) and len(fa):
            cost = mean_node_distance(ea[:, None], fa[None])
            r, c = hungarian(np.where(np.isfinite(cost), cost, 1e12))
            keep = np.isfinite(cost[r, c])
            rows, cols = r[keep].tolist(), c[keep].tolist()
        for i, j in zip(rows, cols, strict=True):
            ve, vf = _visible(ea[i]), _visible(fa[j])
            both = ve & vf
            dists.append(np.linalg.norm(ea[i][both] - fa[j][both], axis=-1))
            compared += int(both.sum())
            missed += int((ve ^ vf).sum())
            if tracked:
                assert e.tracks is not None and f.tracks is not None
                key = (e.window, e.tracks[i])
                pairs.setdefault(key, Counter())[f.tracks[j]] += 1
        for i in set(range(len(ea))) - set(rows):
            missed += int(_visible(ea[i]).sum())
        for j in set(range(len(fa))) - set(cols):
            missed += int(_visible(fa[j]).sum())
    d = np.concatenate(dists) if dists else np.zeros(0)
    p50, p95, p99 = (float(np.percentile(d, q)) if d.size else 0.0 for q in (50, 95, 99))
    identity = None
    if tracked:
        n_pairs = sum(sum(c.values()) for c in pairs.values())
        kept = sum(c.most_common(1)[0][1] for c in pairs.values())
        identity = kept / n_pairs if n_pairs else 1.0
    n = max(len(exact), 1)
    return Agreement(frames=len(exact), counts_equal=same / n, points=compared,
                     missed=missed / max(compared + missed, 1), p50=p50, p95=p95, p99=p99,
                     identity=identity)
