"""From candidate events to a ranked, calibrated list (ADR-0190).

Every candidate carries a small feature vector (the evidence of the motion model, how close
the animals are, whether an animal is missing, how far the pose is from its own track and
from the other one, the instance score). A logistic model turns it into the probability that
a proofreader finds a real identity error within ±3 frames of the event; its weights were fit
on the tuning half of ``benchmarks/bench_qc.py`` (``benchmarks/fit_qc.py`` prints them) and
checked on the held-out half. Candidates of one error (the same or overlapping tracks within
``radius`` frames) are merged into the most probable one; events at or above
:data:`LIKELY` are "likely", the rest "probably fine".
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

from pose_domain.qc.events import EventKind, QcEvent

_F = NDArray[np.float64]

#: Names of the features, in order (the first is the intercept).
FEATURES: tuple[str, ...] = (
    "bias", "break", "evidence", "log_near", "missing", "log_z_own", "log_z_cross",
    "log_d_cross", "instance_score", "unseen", "shape", "log_next_z", "log_back_z",
    "log_own_bl", "log_back_bl", "log_gap_other",
)

#: Logistic weights per feature, Platt-scaled on the merged events (``benchmarks/fit_qc.py``,
#: tuning rows only).
WEIGHTS: _F = np.array([
    -1.378, 8.866, 0.316, -2.035, 0.673, 0.600, -1.080, 3.078,
    0.696, 0.673, 0.649, 0.167, 0.090, -0.738, 0.349, -1.576,
])

#: Events at or above this probability are "likely"; below, "probably fine".
LIKELY = 0.5


@attrs.frozen(kw_only=True)
class Candidate:
    """A possible event before calibration and merging (``features`` None: not an identity
    hypothesis, probability 0)."""

    frame: int
    video_index: int
    kind: EventKind
    tracks: tuple[str, ...]
    features: _F | None
    why: str


def _clip(v: float, lo: float, hi: float) -> float:
    return float(np.clip(v, lo, hi)) if np.isfinite(v) else hi


def swap_features(
    *, ev: float, near: float, missing: bool, z_own: float, z_cross: float, d_cross: float,
    score: float, unseen: bool, shape: float, next_z: float, back_z: float, own_bl: float,
    back_bl: float, gap_other: float,
) -> _F:
    """The feature vector of a swap (or jump) candidate (:data:`FEATURES`)."""
    return np.array([
        1.0, 0.0, _clip(ev, -10.0, 30.0), np.log1p(_clip(near, 0.0, 20.0)), float(missing),
        np.log1p(_clip(z_own, 0.0, 1e4)), np.log1p(_clip(z_cross, 0.0, 1e4)),
        np.log1p(_clip(d_cross, 0.0, 20.0)), _clip(score, 0.0, 1.0) if np.isfinite(score)
        else 1.0, float(unseen), _clip(shape, 0.0, 3.0), np.log1p(_clip(next_z, 0.0, 1e4)),
        np.log1p(_clip(back_z, 0.0, 1e4)), np.log1p(_clip(own_bl, 0.0, 20.0)),
        np.log1p(_clip(back_bl, 0.0, 20.0)), np.log1p(_clip(gap_other, 0.0, 200.0)),
    ])


def break_features(
    *, ev: float, dist: float, fits: bool, z: float, shape: float, gap: float,
) -> _F:
    """The feature vector of a break candidate: ``dist`` in body lengths between where the
    ended track should be and the new track's first pose, ``z`` the same in noise units."""
    return np.array([
        1.0, 1.0, _clip(ev, -10.0, 30.0), np.log1p(_clip(dist, 0.0, 20.0)), float(fits),
        0.0, np.log1p(_clip(z, 0.0, 1e4)), np.log1p(_clip(dist, 0.0, 20.0)), 1.0, 1.0,
        _clip(shape, 0.0, 3.0), 0.0, 0.0, np.log1p(_clip(dist, 0.0, 20.0)), 0.0,
        np.log1p(_clip(gap, 0.0, 200.0)),
    ])


def probability(features: _F | None, weights: _F = WEIGHTS) -> float:
    """Calibrated probability that the candidate marks a real identity error."""
    if features is None:
        return 0.0
    return float(1.0 / (1.0 + np.exp(-float(features @ weights))))


def rank(
    candidates: list[Candidate], radius: int, min_probability: float = 0.0,
    weights: _F = WEIGHTS,
) -> list[QcEvent]:
    """Calibrate, merge the candidates of one error, rank (most probable first).

    One error: candidates of the same video that share a track (or are both trackless of
    one kind) within ``radius`` frames of each other; the most probable stays. Identity
    candidates below ``min_probability`` are dropped."""
    scored = []
    for c in candidates:
        p = probability(c.features, weights)
        if c.features is not None and p < min_probability:
            continue
        scored.append((p, c))
    scored.sort(key=lambda pc: (-pc[0], pc[1].frame))
    taken: dict[tuple[int, str], list[int]] = {}
    kept: list[QcEvent] = []
    for p, c in scored:
        keys = [(c.video_index, t) for t in c.tracks] or [(c.video_index, "\0" + c.kind)]
        if any(abs(f - c.frame) <= radius for k in keys for f in taken.get(k, ())):
            continue
        for k in keys:
            taken.setdefault(k, []).append(c.frame)
        kept.append(QcEvent(frame_idx=c.frame, video_index=c.video_index, kind=c.kind,
                            tracks=c.tracks, score=p, why=c.why, likely=p >= LIKELY))
    return kept
