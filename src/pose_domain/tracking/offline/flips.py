"""Stage ``flips``: undo node-label swaps (e.g. head/thorax) along each identity.

Pairs the detector confuses are given or found in the identities' poses. Per identity and
pair, a two-state Viterbi (labels as detected / swapped) trades node continuity against a
cost per swapped frame and, when one node of the pair leads the motion, the heading. Swapped
poses keep each point with its own score (``Pose.source_node``).
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from pose_domain.tracking.offline.config import FlipConfig
from pose_domain.tracking.offline.values import (
    Assignment,
    IdentityFrame,
    IdentityTrack,
    Pose,
    n_nodes_of,
)

#: A pair looks swapped between two frames when its vector turns by more than 120 degrees
#: (cosine below this) while both vectors are at least ``SWAP_MIN_LENGTH`` body sizes long.
SWAP_COS = -0.5
SWAP_MIN_LENGTH = 0.25
#: Only pairs at least this far apart (body sizes, median) and this many median node steps
#: qualify: jitter alone reverses closer pairs.
PAIR_MIN_SEPARATION = 0.5
PAIR_MIN_STEPS = 4.0
#: A node leads the motion when it points along the velocity in at least ``LEAD_FRACTION``
#: (the other node: at most ``TRAIL_FRACTION``) of at least ``LEAD_MIN_FRAMES`` moving frames.
LEAD_FRACTION = 0.8
TRAIL_FRACTION = 0.2
LEAD_MIN_FRAMES = 20


def confused_pairs(
    tracks: list[IdentityTrack], body: float, min_rate: float
) -> list[tuple[int, int]]:
    """Node pairs whose labels the detector swaps, found in the identities' poses.

    Between consecutive frames of an identity, the pair ``(a, b)`` looks swapped when the
    vector from ``b`` to ``a`` turns by more than 120 degrees while both are long (no animal
    turns that fast; a label swap does exactly that). Only pairs far apart qualify (see the
    module constants): swapping close nodes barely changes the pose, and jitter reverses them.

    Args:
        tracks: Per identity.
        body: Body size, px.
        min_rate: Smallest fraction of consecutive frame pairs that look swapped.

    Returns:
        Disjoint ``(a, b)`` pairs (``a < b``), most often swapped first.
    """
    n_nodes = next((tr.poses.shape[1] for tr in tracks if len(tr.poses)), 0)
    events = np.zeros((n_nodes, n_nodes))
    total = np.zeros((n_nodes, n_nodes))
    seps: list[NDArray[np.float64]] = []
    steps: list[NDArray[np.float64]] = []
    for tr in tracks:
        t, p = tr.frame_idx, tr.poses
        if len(t) < 2:
            continue
        step = np.diff(t) == 1
        u = p[:, :, None] - p[:, None, :]  # (T, N, N, 2) vector from b to a
        u1, u0 = u[1:][step], u[:-1][step]
        n1, n0 = np.linalg.norm(u1, axis=-1), np.linalg.norm(u0, axis=-1)
        long = SWAP_MIN_LENGTH * body
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.sum(u1 * u0, axis=-1) / (n1 * n0)
            ok = np.isfinite(cos) & (n1 >= long) & (n0 >= long)
            ev = ok & (cos < SWAP_COS)
        events += ev.sum(axis=0)
        total += ok.sum(axis=0)
        seps.append(np.linalg.norm(u, axis=-1))
        steps.append(np.linalg.norm(p[1:][step] - p[:-1][step], axis=-1).ravel())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sep = np.nanmedian(np.concatenate(seps), axis=0) if seps else np.zeros(events.shape)
        jitter = float(np.nanmedian(np.concatenate(steps))) if steps else 0.0
    far = sep >= np.maximum(PAIR_MIN_SEPARATION * body, PAIR_MIN_STEPS * np.nan_to_num(jitter))
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(total > 0, events / total, 0.0)
    cand = [
        (float(rate[a, b]), a, b)
        for a in range(n_nodes)
        for b in range(a + 1, n_nodes)
        if events[a, b] >= 3 and rate[a, b] >= min_rate and far[a, b]
    ]
    used: set[int] = set()
    out: list[tuple[int, int]] = []
    for _, a, b in sorted(cand, reverse=True):
        if a not in used and b not in used:
            out.append((a, b))
            used.update((a, b))
    return out


def velocity(p: NDArray[np.float64], t: NDArray[np.int64], half: int = 2) -> NDArray[np.float64]:
    """Velocity of an identity: mean displacement of the nodes seen at both ends, px/frame.

    The mean over nodes does not change when two visible nodes trade labels, and unlike a
    centroid it does not jump when a node goes missing.

    Args:
        p: ``(T, N, 2)`` px, NaN = missing.
        t: ``(T,)`` frame indices, increasing.
        half: Central difference over this many observations either side.

    Returns:
        ``(T, 2)`` float64; NaN where no node is seen at both ends or they are more than
        ``4 * half`` frames apart.
    """
    n = len(t)
    v = np.full((n, 2), np.nan)
    if n <= 2 * half:
        return v
    lo, hi = np.arange(n - 2 * half), np.arange(2 * half, n)
    dt = (t[hi] - t[lo]).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        vv = np.nanmean(p[hi] - p[lo], axis=1) / dt[:, None]
    vv[dt > 4 * half] = np.nan
    v[half:n - half] = vv
    return v


def leading_node(tracks: list[IdentityTrack], a: int, b: int, v_full: float) -> float:
    """+1 when node ``a`` leads the motion (points along the velocity), -1 when ``b`` does.

    Counted over frames moving at least ``v_full`` px/frame with both nodes visible; 0 when
    there are too few such frames or neither node leads clearly (module constants).
    """
    signs: list[NDArray[np.float64]] = []
    for tr in tracks:
        t, p = tr.frame_idx, tr.poses
        if len(t) < 5:
            continue
        v = velocity(p, t)
        axis = p[:, a] - p[:, b]
        with np.errstate(invalid="ignore"):
            moving = np.linalg.norm(v, axis=-1) >= v_full
            dot = np.sum(v * axis, axis=-1)
        ok = moving & np.isfinite(dot)
        signs.append(np.sign(dot[ok]))
    s = np.concatenate(signs) if signs else np.zeros(0)
    if s.size < LEAD_MIN_FRAMES:
        return 0.0
    frac = float((s > 0).mean())
    return 1.0 if frac >= LEAD_FRACTION else -1.0 if frac <= TRAIL_FRACTION else 0.0


def flip_states(
    q: NDArray[np.float64],
    t: NDArray[np.int64],
    v: NDArray[np.float64],
    lead: float,
    body: float,
    cfg: FlipConfig,
    max_gap: int,
) -> NDArray[np.bool_]:
    """Which frames of one identity have the labels of one node pair swapped (Viterbi).

    State 0 keeps the detected labels, state 1 swaps them (``cfg.cost`` per frame). Moving
    from one frame to the next costs each node's displacement from its last known position
    along the path (body sizes; nothing across gaps over ``max_gap`` frames). When a node
    leads the motion (``lead``), a pair pointing against the velocity costs up to
    ``cfg.motion`` (scaled by the cosine and by speed up to ``cfg.speed`` body sizes/frame).

    Args:
        q: ``(T, 2, 2)`` the pair's positions px (NaN = missing), in detected label order.
        t: ``(T,)`` frame indices, increasing.
        v: ``(T, 2)`` velocity px/frame, NaN = unknown.
        lead: +1 / -1 / 0 from :func:`leading_node`.
        body: Body size, px.
        cfg: Flip settings.
        max_gap: Longest gap (frames) over which node continuity is costed.

    Returns:
        ``(T,)`` bool, True where the pair's labels should be swapped.
    """
    n = len(q)
    qs = np.stack([q, q[:, ::-1]])  # (2, T, 2, 2)
    emit = np.zeros((n, 2))
    emit[:, 1] = cfg.cost
    if lead:
        axis = q[:, 0] - q[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = np.linalg.norm(v, axis=-1)
            cos = lead * np.sum(v * axis, axis=-1) / (speed * np.linalg.norm(axis, axis=-1))
            w = cfg.motion * np.minimum(speed / (cfg.speed * body), 1.0)
        cos = np.nan_to_num(cos)
        w = np.nan_to_num(w)
        emit[:, 0] += w * np.maximum(-cos, 0.0)
        emit[:, 1] += w * np.maximum(cos, 0.0)
    cost = emit[0].copy()
    last = [qs[0, 0].copy(), qs[1, 0].copy()]  # last known slot positions along each path
    seen = [np.full(2, t[0]), np.full(2, t[0])]
    back = np.zeros((n, 2), dtype=np.int64)
    for i in range(1, n):
        new_cost = np.empty(2)
        new_last, new_seen = [], []
        for s in (0, 1):
            cur = qs[s, i]
            best, arg = np.inf, 0
            for sp in (0, 1):
                with np.errstate(invalid="ignore"):
                    d = np.linalg.norm(cur - last[sp], axis=-1)
                d[~np.isfinite(d) | (t[i] - seen[sp] > max_gap)] = 0.0
                c = cost[sp] + float(d.sum()) / body
                if c < best:
                    best, arg = c, sp
            back[i, s] = arg
            new_cost[s] = best + emit[i, s]
            has = ~np.isnan(cur).any(axis=-1)
            new_last.append(np.where(has[:, None], cur, last[arg]))
            new_seen.append(np.where(has, t[i], seen[arg]))
        cost, last, seen = new_cost, new_last, new_seen
    states = np.zeros(n, dtype=np.int64)
    states[-1] = int(np.argmin(cost))
    for i in range(n - 1, 0, -1):
        states[i - 1] = back[i, states[i]]
    return states.astype(bool)


def fix_flips(
    rows: list[NDArray[np.float64]],
    assign: Assignment,
    poses: dict[IdentityFrame, Pose],
    k: int,
    body: float,
    fidx: NDArray[np.int64],
    cfg: FlipConfig,
    max_gap: int,
) -> dict[IdentityFrame, Pose]:
    """Undo node-label swaps along each identity.

    Args:
        rows: Per frame position ``(m, N, 2)`` all working rows, px, NaN = missing.
        assign: ``slot -> identity``.
        poses: Re-assigned poses from the ``nodes`` stage (may be empty).
        k: Number of identities.
        body: Body size, px.
        fidx: ``(n_frames,)`` frame index of each frame position.
        cfg: Flip settings.
        max_gap: Longest gap (frames) over which node continuity is costed.

    Returns:
        ``poses`` plus a swapped :class:`Pose` for every identity frame whose labels were
        swapped back (a new dict; ``poses`` is not changed).
    """
    n_nodes = n_nodes_of(rows)
    if n_nodes < 2:
        return poses
    # the final pose of every identity in every frame where it has one
    seq: list[dict[int, Pose]] = [{} for _ in range(k)]
    for (f, r), ident in assign.items():
        if (f, ident) not in poses:
            seq[ident][f] = Pose.from_row(rows[f][r], r)
    for (f, ident), v in poses.items():
        if not v.is_empty:
            seq[ident][f] = v
    frames: list[NDArray[np.int64]] = []
    work: list[NDArray[np.float64]] = []  # per identity (T, N, 2), swapped as we go
    for ident in range(k):
        fs = np.array(sorted(seq[ident]), dtype=np.int64)
        frames.append(fs)
        work.append(
            np.stack([seq[ident][f].points for f in fs]) if len(fs)
            else np.zeros((0, n_nodes, 2))
        )

    def tracks() -> list[IdentityTrack]:
        return [IdentityTrack(fidx[fs], p) for fs, p in zip(frames, work)]

    pairs = list(cfg.pairs) if cfg.pairs is not None else confused_pairs(
        tracks(), body, cfg.min_rate
    )
    if not pairs:
        return poses
    out = dict(poses)
    for a, b in pairs:
        lead = leading_node(tracks(), a, b, cfg.speed * body)
        for ident, (fs, p) in enumerate(zip(frames, work)):
            if len(fs) < 2:
                continue
            swap = flip_states(
                p[:, [a, b]], fidx[fs], velocity(p, fidx[fs]), lead, body, cfg, max_gap
            )
            perm = np.arange(n_nodes)
            perm[[a, b]] = [b, a]
            for i in np.flatnonzero(swap).tolist():
                f = int(fs[i])
                seq[ident][f] = seq[ident][f].permuted(perm)
                p[i] = p[i][perm]
                out[(f, ident)] = seq[ident][f]
    return out
