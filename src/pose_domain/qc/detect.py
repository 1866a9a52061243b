"""Find frames where track identities probably went wrong, without ground truth (ADR-0110).

Every track is followed frame by frame with a constant-velocity pose model: the pose it should
have at frame ``t`` is its last pose moved by its last centroid velocity. The residual between
that prediction and an observed pose (mean node distance, so position, orientation and shape
all count) is measured in units of the file's own motion noise ``σ`` (the median residual of
consecutive frames), widened as ``σ √gap`` when a track was not seen for ``gap`` frames. Costs
use a heavy-tailed (Cauchy) negative log-likelihood ``ρ(z) = log(1 + z²)`` so that one bad pose
does not look like strong evidence of anything.

* **swap** (tracks A, B at frame t): the evidence is how much better the crossed assignment
  explains the observations than the one the tracker made: ``ρ(A→a) + ρ(B→b) − ρ(A→b) −
  ρ(B→a)`` when both are seen, ``ρ(A→a) − ρ(B→a)`` when B is not seen at t (A took over B's
  animal while B was hidden). A prior adds log-odds for what makes trackers swap: the two
  animals are close (``−distance / body length``), and an animal is missing (occlusion).
* **break** (A ends, B starts ``gap`` frames later): the same residual of B's first pose
  against A's prediction, compared with a body length (an unrelated animal appears about a
  body length away or more), plus a prior when B does not bring the count above the expected
  number of animals.
* **jump**: a track's own residual is large and no other track is there to take it.
* **count**: a run of frames with fewer or more instances than the usual count.

These are candidates with a feature vector; :mod:`pose_domain.qc.rank` turns each into a
calibrated probability of a real identity error and merges the candidates of one error
(ADR-0190).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import attrs
import numpy as np
from numpy.typing import NDArray

from pose_domain.distance import mean_node_distance
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance
from pose_domain.qc.events import QcConfig, QcReport, TrackSeries
from pose_domain.qc.poses import body_length as _body_length
from pose_domain.qc.poses import next_observations as _next_obs
from pose_domain.qc.poses import shape_error as _shape
from pose_domain.qc.rank import Candidate, break_features, rank, swap_features
from pose_domain.qc.sampling import sampling_step, scaled_config

_F = NDArray[np.float64]

#: Log-odds added to a break when the new track does not exceed the expected count.
_COUNT_PRIOR = 3.0
#: A jump is reported when its residual exceeds this many σ (``ρ`` above ``ρ(z)``).
_JUMP_Z = 6.0
#: A velocity is estimated only from observations at most this many frames apart.
_VELOCITY_GAP = 3
#: σ is this quantile of the one-frame residuals: animals often sit still, so the median
#: residual is the localisation noise of resting animals, far below that of moving ones.
_NOISE_QUANTILE = 0.75
#: σ is at least this fraction of a body length (localisation noise of a still animal).
_NOISE_FLOOR = 0.02


def _rho(z: _F) -> _F:
    """Cauchy negative log-likelihood (up to a constant) of normalised residuals ``z``."""
    return np.log1p(np.square(z))


def _centroid(points: _F) -> _F:
    """``(..., N, 2)`` → ``(..., 2)`` mean of visible nodes (NaN when none)."""
    ok = ~np.isnan(points)
    n = ok.sum(axis=-2)
    total = np.where(ok, points, 0.0).sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(n > 0, total / np.maximum(n, 1), np.nan), dtype=np.float64)


@attrs.define
class _State:
    """What the detector remembers of one track."""

    frame: int
    points: _F  # (N, 2), gaps filled from the prediction
    velocity: _F  # (2,) px per frame


@attrs.define
class _Step:
    """One frame: predictions of the candidate tracks against the observed poses."""

    frame: int
    cand: list[int]  # track ids with a state (seen within the window)
    gaps: _F  # (m,) frames since each candidate was last seen
    pred: _F  # (m, N, 2)
    seen: list[int]  # track ids observed in this frame
    obs: _F  # (p, N, 2)
    scores: list[float]  # (p,) instance scores (NaN when unknown)
    dist: _F  # (m, p) px


def _velocity(old: _F, new: _F, gap: int, stride: int = 1) -> _F:
    """``(2,)`` px/frame: mean displacement of the nodes seen in both poses; 0 after a gap
    longer than :data:`_VELOCITY_GAP` samples (of ``stride`` frames) or without a common
    node."""
    if gap > _VELOCITY_GAP * stride or gap <= 0:
        return np.zeros(2)
    step = _centroid((new - old)[None])[0]
    return step / gap if np.isfinite(step).all() else np.zeros(2)


def _observations(
    frames: Sequence[LabeledFrame],
) -> tuple[list[tuple[int, list[int], _F, list[float]]], list[str], list[tuple[int, int]]]:
    """Per frame (sorted): ``(frame_idx, track ids, (p, N, 2) points, scores)``; names; counts."""
    by_frame: dict[int, list[Instance]] = {}
    for fr in frames:
        by_frame.setdefault(fr.frame_idx, []).extend(fr.instances)
    ids: dict[int, int] = {}
    names: list[str] = []
    out: list[tuple[int, list[int], _F, list[float]]] = []
    counts: list[tuple[int, int]] = []
    for t in sorted(by_frame):
        insts = by_frame[t]
        # a user instance replaces the prediction of the same track (proofread SLEAP files)
        chosen: dict[int, Instance] = {}
        for inst in insts:
            if inst.track is None or np.isnan(inst.points).all():
                continue
            key = id(inst.track)
            if key not in chosen or (chosen[key].is_predicted and not inst.is_predicted):
                chosen[key] = inst
        counts.append((t, sum(1 for i in insts if not np.isnan(i.points).all())))
        tids: list[int] = []
        for key, inst in chosen.items():
            if key not in ids:
                ids[key] = len(names)
                assert inst.track is not None
                names.append(inst.track.name or f"track_{len(names)}")
            tids.append(ids[key])
        if not tids:
            continue
        pts = np.stack([chosen[k].points for k in chosen])
        scores = [
            float(i.score) if isinstance(i, PredictedInstance) else float("nan")
            for i in chosen.values()
        ]
        out.append((t, tids, pts, scores))
    return out, names, counts


def _pose_distance(pred: _F, obs: _F) -> _F:
    """``(m, N, 2)`` × ``(p, N, 2)`` → ``(m, p)`` mean node distance, px (centroids where no
    node is visible in both; inf when either has no node)."""
    dist = mean_node_distance(pred[:, None], obs[None])
    far = ~np.isfinite(dist)
    if far.any():
        cd = np.linalg.norm(_centroid(pred)[:, None] - _centroid(obs)[None], axis=-1)
        dist = np.where(far, np.nan_to_num(cd, nan=np.inf), dist)
    return np.asarray(dist, dtype=np.float64)


def _steps(
    obs: list[tuple[int, list[int], _F, list[float]]], window: int, step: int
) -> list[_Step]:
    """Follow every track with the pose model; one :class:`_Step` per frame."""
    states: dict[int, _State] = {}
    steps: list[_Step] = []
    for t, tids, pts, inst_scores in obs:
        cand = [k for k, s in states.items() if t - s.frame <= window]
        gaps = np.array([t - states[k].frame for k in cand], dtype=np.float64)
        if cand:
            still = np.stack([states[k].points for k in cand])
            moving = np.stack([states[k].points + states[k].velocity * (t - states[k].frame)
                               for k in cand])
            # two motion hypotheses (still, constant velocity): the better one counts, so a
            # velocity estimated from a bad pose cannot make a good pose look far off
            d_still, d_moving = _pose_distance(still, pts), _pose_distance(moving, pts)
            dist = np.minimum(d_still, d_moving)
            use_moving = (d_moving <= d_still).sum(axis=1) * 2 > d_still.shape[1]
            pred = np.where(use_moving[:, None, None], moving, still)
        else:
            pred = np.zeros((0, *pts.shape[1:]))
            dist = np.zeros((0, len(tids)))
        steps.append(_Step(t, cand, gaps, pred, list(tids), pts, list(inst_scores), dist))
        for j, k in enumerate(tids):
            new = pts[j]
            old = states.get(k)
            if old is None:
                fill = new.copy()
                vel = np.zeros(2)
            else:
                g = t - old.frame
                guess = old.points + old.velocity * g
                fill = np.where(np.isnan(new), guess, new)
                vel = _velocity(old.points, new, g, step)
            if np.isnan(fill).any():  # nodes never seen: use the centroid
                fill = np.where(np.isnan(fill), _centroid(fill)[None], fill)
            states[k] = _State(t, fill, vel)
    return steps


def _motion_noise(steps: list[_Step]) -> float:
    """Upper-quartile residual of a track's pose against its own prediction at its next
    observation, px per √frame, from the shortest gap the file has (1 frame; 3 when only every
    3rd frame was tracked)."""
    res: dict[int, list[float]] = {}
    for s in steps:
        col = {k: j for j, k in enumerate(s.seen)}
        for i, k in enumerate(s.cand):
            if k in col and np.isfinite(s.dist[i, col[k]]):
                res.setdefault(int(s.gaps[i]), []).append(float(s.dist[i, col[k]]))
    if not res:
        return float("nan")
    gap = min(res)
    return float(np.quantile(res[gap], _NOISE_QUANTILE)) / float(np.sqrt(gap))


def expected_count(counts: Sequence[tuple[int, int]]) -> int:
    """The most common instance count over frames with at least one instance (0 if none)."""
    c = np.array([n for _, n in counts if n > 0], dtype=np.int64)
    if len(c) == 0:
        return 0
    return int(np.bincount(c).argmax())


def _analyse(
    frames: Sequence[LabeledFrame], cfg: QcConfig, video_index: int
) -> tuple[list[tuple[int, list[int], _F, list[float]]], list[str], list[tuple[int, int]],
           float, float, int, QcConfig, list[Candidate]]:
    """Observations, track names, counts, body length, σ, usual count, the configuration in
    frames of the file's sampling (ADR-0192) and the candidates."""
    obs, names, counts = _observations(frames)
    step = sampling_step([t for t, *_ in obs])
    cfg = scaled_config(cfg, step)
    steps = _steps(obs, cfg.window, step)
    body = _body_length(obs)
    sigma = _motion_noise(steps)
    if not np.isfinite(body) or body <= 0:
        body = 10.0 * sigma if np.isfinite(sigma) and sigma > 0 else 1.0
    if not np.isfinite(sigma) or sigma <= 0:
        sigma = 0.05 * body
    sigma = max(sigma, _NOISE_FLOOR * body, 1e-6)
    n_expected = expected_count(counts)
    count_at = dict(counts)
    cands: list[Candidate] = []
    after = _next_obs(obs)
    cands += _swap_events(steps, names, sigma, body, n_expected, count_at, video_index, after)
    cands += _break_events(obs, names, cfg, sigma, body, n_expected, count_at, video_index,
                            step)
    cands += _count_events(counts, n_expected, video_index, step)
    return obs, names, counts, body, sigma, n_expected, cfg, cands


def identity_candidates(
    frames: Sequence[LabeledFrame], config: QcConfig | None = None, *, video_index: int = 0
) -> list[Candidate]:
    """Every candidate event before calibration and merging (for fitting the calibration)."""
    return _analyse(frames, config or QcConfig(), video_index)[-1]


def detect_identity_events(
    frames: Sequence[LabeledFrame],
    config: QcConfig | None = None,
    *,
    video_index: int = 0,
) -> QcReport:
    """Rank the frames of one video where identities probably went wrong (module docstring).

    Args:
        frames: Labeled frames of one video; instances with a track are followed (predicted
            and user instances; a user instance wins over a prediction of the same track).
        config: Detector knobs; None for the defaults.
        video_index: Stored in the events and the report.

    Returns:
        A :class:`QcReport`: events sorted by score (highest first), per-frame instance
        counts, per-track presence and scores, and the scales used (body length, σ in px).
    """
    obs, names, counts, body, sigma, n_expected, cfg, cands = _analyse(
        frames, config or QcConfig(), video_index)
    ranked = rank(cands, cfg.nms_radius, cfg.min_score)
    if cfg.max_events is not None:
        ranked = ranked[: cfg.max_events]

    series: dict[int, tuple[list[int], list[float]]] = {}
    for t, tids, _, scores in obs:
        for k, sc in zip(tids, scores):
            series.setdefault(k, ([], []))
            series[k][0].append(t)
            series[k][1].append(sc)
    tracks = tuple(
        TrackSeries(name=names[k], frames=tuple(f), scores=tuple(s))
        for k, (f, s) in sorted(series.items())
    )
    frame_range = (counts[0][0], counts[-1][0]) if counts else (0, 0)
    return QcReport(
        events=tuple(ranked),
        video_index=video_index,
        frame_range=frame_range,
        counts=tuple(counts),
        expected_count=n_expected,
        tracks=tracks,
        body_length=float(body),
        motion_noise=float(sigma),
    )


def _gap(a: _F, b: _F) -> float:
    """Distance between two points (inf when either is NaN)."""
    d = float(np.linalg.norm(a - b))
    return d if np.isfinite(d) else float("inf")


def _swap_events(
    steps: list[_Step],
    names: list[str],
    sigma: float,
    body: float,
    n_expected: int,
    count_at: dict[int, int],
    video_index: int,
    after: dict[tuple[int, int], tuple[int, _F]],
) -> list[Candidate]:
    """Swap candidates: each pair of tracks whose crossed assignment fits (module docstring),
    and each track whose own residual exceeds :data:`_JUMP_Z` σ against every other track
    (it may have moved, wholly or in part, to that animal); a lone track that jumps is a
    ``jump``."""
    out: list[Candidate] = []
    for s in steps:
        if not s.cand or not s.seen:
            continue
        z = s.dist / (sigma * np.sqrt(s.gaps))[:, None]
        r = _rho(z)
        row = {k: i for i, k in enumerate(s.cand)}
        col = {k: j for j, k in enumerate(s.seen)}
        cen = _centroid(s.pred)
        occluded = count_at.get(s.frame, 0) < n_expected
        for a in s.seen:
            if a not in row:
                continue  # a new track: breaks handle it
            ra, ca = row[a], col[a]
            keep_a = float(r[ra, ca])
            za = float(z[ra, ca])
            jumped = za > _JUMP_Z
            score_a = s.scores[ca]
            shape = _shape(s.obs[ca], body)
            nxt = after.get((s.frame, a))
            next_z = back_z = back_px = np.inf
            if nxt is not None:
                g = nxt[0] - s.frame
                next_z = float(_pose_distance(s.obs[ca][None], nxt[1][None])[0, 0]) / (
                    sigma * np.sqrt(g))
                back_px = float(_pose_distance(s.pred[ra][None], nxt[1][None])[0, 0])
                back_z = back_px / (sigma * np.sqrt(g + s.gaps[ra]))
            paired = False
            for b in s.cand:
                if b == a:
                    continue
                rb = row[b]
                both = b in col
                if both and not jumped and b < a and float(z[rb, col[b]]) <= _JUMP_Z:
                    continue  # each calm seen pair once (from its smaller id)
                if both:
                    cb = col[b]
                    ev = keep_a + float(r[rb, cb]) - float(r[ra, cb]) - float(r[rb, ca])
                    z_own = max(za, float(z[rb, cb]))
                    z_cross = max(float(z[ra, cb]), float(z[rb, ca]))
                    fit = (f"fits better by {ev:.1f}" if ev > 0
                           else f"fits about as well ({ev:.1f})")
                    how = (f"crossing the two assignments {fit} "
                           f"(residuals {za:.1f}σ and {z[rb, cb]:.1f}σ kept, "
                           f"{z[ra, cb]:.1f}σ and {z[rb, ca]:.1f}σ crossed)")
                    if jumped and z[rb, ca] < z[ra, cb]:
                        # a moved onto b's animal (b may be a joined or duplicate pose)
                        ev = keep_a - float(r[rb, ca])
                        z_own, z_cross = za, float(z[rb, ca])
                        how = (f"{names[a]}'s pose is {s.dist[ra, ca]:.0f} px ({za:.0f}σ) "
                               f"from where its motion puts it and {z[rb, ca]:.1f}σ from "
                               f"{names[b]}'s")
                    missing = occluded
                else:
                    ev = keep_a - float(r[rb, ca])
                    z_own, z_cross = za, float(z[rb, ca])
                    how = (f"{names[a]}'s pose is {za:.1f}σ from its own track but "
                           f"{z[rb, ca]:.1f}σ from {names[b]}, which is not seen "
                           f"(for {int(s.gaps[rb])} frames)")
                    missing = True
                if not jumped and ev <= 0:
                    continue
                gap_px = min(_gap(cen[ra], cen[rb]), _gap(cen[rb], _centroid(s.obs[ca])))
                near = gap_px / body
                feats = swap_features(ev=ev, near=near, missing=missing, z_own=z_own,
                                      z_cross=z_cross, d_cross=s.dist[rb, ca] / body,
                                      score=score_a, unseen=not both, shape=shape,
                                      next_z=next_z, back_z=back_z,
                                      own_bl=s.dist[ra, ca] / body, back_bl=back_px / body,
                                      gap_other=float(s.gaps[rb]))
                if not np.isfinite(feats).all():
                    continue
                paired = True
                why = f"{how}; animals {min(near, 99.0):.1f} body lengths apart"
                if missing:
                    why += "; an animal is missing"
                out.append(Candidate(frame=s.frame, video_index=video_index, kind="swap",
                                     tracks=(names[a], names[b]), features=feats, why=why))
            if jumped and not paired:  # a pose error, not an identity hypothesis
                out.append(Candidate(
                    frame=s.frame, video_index=video_index, kind="jump", tracks=(names[a],),
                    features=None,
                    why=(f"{names[a]}'s pose is {s.dist[ra, ca]:.0f} px ({za:.0f}σ) from where "
                         f"its motion puts it after {int(s.gaps[ra])} frame(s); no other "
                         "track is near")))
    return out


def _break_events(
    obs: list[tuple[int, list[int], _F, list[float]]],
    names: list[str],
    cfg: QcConfig,
    sigma: float,
    body: float,
    n_expected: int,
    count_at: dict[int, int],
    video_index: int,
    step: int,
) -> list[Candidate]:
    """A track that ends, and another that starts soon after where the first should be."""
    first: dict[int, tuple[int, _F]] = {}
    last: dict[int, tuple[int, _F, _F]] = {}  # frame, points, velocity
    for t, tids, pts, _ in obs:
        for j, k in enumerate(tids):
            p = pts[j]
            first.setdefault(k, (t, p))
            vel = (_velocity(last[k][1], p, t - last[k][0], step) if k in last
                   else np.zeros(2))
            last[k] = (t, p, vel)
    end_of_video = obs[-1][0] if obs else 0
    out: list[Candidate] = []
    ends = sorted((v[0], k) for k, v in last.items() if v[0] < end_of_video)
    end_frames = [f for f, _ in ends]
    for b, (tb, pb) in first.items():
        # only tracks that ended within the window before b starts (sorted ends: bisect)
        lo = bisect.bisect_left(end_frames, tb - cfg.break_window)
        hi = bisect.bisect_left(end_frames, tb)
        for ta, a in ends[lo:hi]:
            if a == b:
                continue
            _, pa, va = last[a]
            gap = tb - ta
            pred = pa + va * gap
            d = float(mean_node_distance(pred, pb))
            if not np.isfinite(d):
                d = float(np.linalg.norm(_centroid(pred) - _centroid(pb)))
            if not np.isfinite(d):
                continue
            scale = sigma * np.sqrt(gap)
            ev = float(_rho(np.array(body / scale)) - _rho(np.array(d / scale)))
            fits = count_at.get(tb, 0) <= n_expected
            score = ev + (_COUNT_PRIOR if fits else 0.0)
            why = (f"{names[a]} ends at frame {ta} and {names[b]} starts {gap} frame(s) later "
                   f"{d:.0f} px from where {names[a]} should be ({d / body:.1f} body lengths)")
            if not fits:
                why += "; the new track exceeds the usual count"
            feats = break_features(ev=score, dist=d / body, fits=fits, z=d / scale,
                                   shape=_shape(pb, body), gap=gap)
            out.append(Candidate(frame=tb, video_index=video_index, kind="break",
                                 tracks=(names[a], names[b]), features=feats, why=why))
    return out


def _count_events(
    counts: Sequence[tuple[int, int]], n_expected: int, video_index: int, step: int = 1
) -> list[Candidate]:
    """One event per run of frames whose instance count differs from the expected one."""
    out: list[Candidate] = []
    run_start: int | None = None
    run_n = 0
    prev_t = None
    for t, n in [*counts, (None, n_expected)]:
        off = t is not None and n != n_expected
        contiguous = prev_t is not None and t is not None and 0 < t - prev_t <= step
        if run_start is not None and (not off or not contiguous or n != run_n):
            length = (prev_t or 0) - run_start + 1
            out.append(Candidate(
                frame=run_start, video_index=video_index, kind="count", tracks=(),
                features=None,
                why=f"{run_n} instance(s) instead of {n_expected} for {length} frame(s)"))
            run_start = None
        if off and run_start is None:
            run_start, run_n = t, n
        prev_t = t
    return out
