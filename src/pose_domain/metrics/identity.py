"""Identity (multi-object tracking) metrics for tracked poses: ID switches, IDF1, CLEAR-MOT.

The reference ``sleap-nn eval`` has none of these. This module is the ONE identity scorer of
``pose`` (``pose eval``, the tracking benchmark and the tests call it). Rule (ADR-0080):

* **Frames.** A frame is evaluated when the ground truth has at least one (tracked) instance in
  it; only user instances count as GT when ``user_labels_only`` is true. Predictions are read
  from the frame with the same ``(video, frame_idx)``; predictions in frames without GT are
  ignored (unlabeled frames say nothing about errors). Instances without a track, on either
  side, are left out.
* **Pair cost and validity.** With ``match_by="distance"`` (default) the cost of a GT/prediction
  pair is the mean Euclidean distance over the nodes visible in both (no common node → never
  valid) and the pair is *valid* when the cost is at most ``threshold`` (default 50 px, the
  reference's own point-matching gate in ``sleap-nn eval`` centroid mode). With
  ``match_by="oks"`` the cost is ``1 - OKS`` (σ = ``oks_stddev``) and a pair is valid when
  OKS is at least ``threshold`` (default 0.5).
* **Per-frame matching (the headline numbers).** In each frame, one minimum-total-cost
  assignment (Hungarian) over ALL GT/prediction pairs (pairs without a common node cost more
  than any other); assigned pairs that are not valid are dropped. There is no preference for
  earlier correspondences. ``id_switches``: a GT track matched to a different prediction track
  than at its previous match (in any earlier frame; gaps do not reset it).
  ``idtp``: matched pairs whose GT and prediction tracks are paired by one global one-to-one
  GT-track↔prediction-track assignment that maximizes that count; ``idfn = n_gt - idtp``,
  ``idfp = n_pred - idtp``, ``idp = idtp / n_pred``, ``idr = idtp / n_gt``,
  ``idf1 = 2 idtp / (n_gt + n_pred)``. This reproduces the figures quoted in issue 5 for the
  reference tracker on the public benchmark (20 switches / IDF1 0.800 and 18 / 0.911).
* **CLEAR-MOT (Bernardin & Stiefelhagen 2008).** A separate matching: a GT track keeps the
  prediction track it was last matched to if that pair is still valid; the remaining GT and
  predictions are matched by a minimum-cost assignment (maximum number of valid pairs, then
  lowest cost). ``id_switches_clearmot`` counts matches to a different prediction track than
  the GT track's previous match. Unmatched GT are ``misses`` (FN), unmatched predictions
  ``false_positives``; ``mota = 1 - (FN + FP + id_switches_clearmot) / n_gt``. A
  **fragmentation** is an interruption of a GT track's matched status that is later resumed.
  A GT track is **mostly tracked** when matched in ≥ 80 % of the frames where it exists,
  **mostly lost** when ≤ 20 %, else partially tracked.
* ``idf1_all_pairs``: IDF1 as Ristani et al. 2016 / TrackEval define it: every valid pair (not
  only the per-frame matches) counts towards a GT-track/prediction-track pair's true positives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from pose_domain.distance import mean_node_distance
from pose_domain.errors import InvalidOptionError
from pose_domain.instance import Instance, LabeledFrame, Track
from pose_domain.matching import hungarian
from pose_domain.metrics.oks import DEFAULT_OKS_STDDEV, compute_oks

MatchBy = Literal["distance", "oks"]

#: Default candidate threshold per matching rule: px for distance, OKS for oks.
DEFAULT_THRESHOLDS: Mapping[str, float] = {"distance": 50.0, "oks": 0.5}

_MT_FRACTION = 0.8
_ML_FRACTION = 0.2


def _tracked(instances: Sequence[Instance]) -> list[Instance]:
    return [i for i in instances if i.track is not None]


def _frame_cost(
    gt: Sequence[Instance],
    pred: Sequence[Instance],
    match_by: MatchBy,
    threshold: float,
    oks_stddev: float,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``(cost, valid)`` matrices ``(n_gt, n_pred)``: lower cost is better."""
    if not gt or not pred:
        shape = (len(gt), len(pred))
        return np.zeros(shape), np.zeros(shape, dtype=bool)
    g = np.stack([i.points for i in gt])
    p = np.stack([i.points for i in pred])
    if match_by == "distance":
        cost = mean_node_distance(g[:, None], p[None])
        valid = cost <= threshold
    else:
        sim = compute_oks(g, p, stddev=oks_stddev)
        valid = np.nan_to_num(sim, nan=-1.0) >= threshold
        cost = 1.0 - np.nan_to_num(sim, nan=0.0)
    return np.asarray(cost, dtype=np.float64), np.asarray(valid, dtype=bool)


def _assign(cost: NDArray[np.float64], valid: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Most candidate pairs, then least total cost; only valid pairs are returned."""
    if cost.size == 0 or not valid.any():
        return []
    finite = np.where(valid, cost, 0.0)
    big = float(np.abs(finite).max()) * max(cost.shape) + 1.0
    c = np.where(valid, cost, big * 2.0 + 1.0)
    rows, cols = hungarian(c)
    return [(int(r), int(k)) for r, k in zip(rows, cols) if valid[r, k]]


def _min_cost_matching(
    cost: NDArray[np.float64], valid: NDArray[np.bool_]
) -> list[tuple[int, int]]:
    """Minimum-total-cost assignment over all pairs, then only the valid pairs.

    Args:
        cost: ``(n_gt, n_pred)`` float, lower is better; ``inf`` = no common node.
        valid: ``(n_gt, n_pred)`` bool.

    Returns:
        ``(gt row, pred column)`` of the assigned pairs that are valid.
    """
    if cost.size == 0 or not valid.any():
        return []
    finite = np.isfinite(cost)
    top = float(np.abs(cost[finite]).max()) if finite.any() else 0.0
    c = np.where(finite, cost, (top + 1.0) * (max(cost.shape) + 1))
    rows, cols = hungarian(c)
    return [(int(r), int(k)) for r, k in zip(rows, cols) if valid[r, k]]


def _frame_key(frame: LabeledFrame) -> tuple[int, int]:
    return (frame.video_index, frame.frame_idx)


@attrs.frozen
class IdSwitch:
    """One identity switch of the per-frame matching (what ``id_switches`` counts).

    Attributes:
        frame_idx: Frame where the GT track is first matched to the new prediction track.
        video_index: Prediction video index of that frame.
        gt_track: Name of the GT track.
        old_track: Name of the prediction track it was matched to before.
        new_track: Name of the prediction track it is matched to from this frame.
    """

    frame_idx: int
    video_index: int
    gt_track: str
    old_track: str
    new_track: str


def identity_switches(
    gt_frames: Sequence[LabeledFrame],
    pred_frames: Sequence[LabeledFrame],
    *,
    match_by: MatchBy = "distance",
    threshold: float | None = None,
    oks_stddev: float = DEFAULT_OKS_STDDEV,
    user_labels_only: bool = True,
    video_map: Mapping[int, int] | None = None,
) -> list[IdSwitch]:
    """The switches that :func:`identity_metrics` counts as ``id_switches``, in frame order.

    Same arguments and rule as :func:`identity_metrics`; ``len(result) == id_switches``.
    """
    switches: list[IdSwitch] = []
    identity_metrics(
        gt_frames, pred_frames, match_by=match_by, threshold=threshold,
        oks_stddev=oks_stddev, user_labels_only=user_labels_only, video_map=video_map,
        switch_log=switches,
    )
    return switches


def identity_metrics(
    gt_frames: Sequence[LabeledFrame],
    pred_frames: Sequence[LabeledFrame],
    *,
    match_by: MatchBy = "distance",
    threshold: float | None = None,
    oks_stddev: float = DEFAULT_OKS_STDDEV,
    user_labels_only: bool = True,
    video_map: Mapping[int, int] | None = None,
    switch_log: list[IdSwitch] | None = None,
) -> dict[str, Any]:
    """Identity metrics of tracked predictions against tracked GT (rule: module docstring).

    Args:
        gt_frames: Ground-truth labeled frames (instances with tracks).
        pred_frames: Predicted labeled frames (instances with tracks); user instances in them
            count as predictions too.
        match_by: ``"distance"`` (mean node distance, px) or ``"oks"``.
        threshold: Candidate threshold: max mean distance in px, or min OKS. None → 50 px /
            0.5 OKS (:data:`DEFAULT_THRESHOLDS`).
        oks_stddev: σ for ``match_by="oks"``.
        user_labels_only: Use only user (not predicted) instances of ``gt_frames``.
        video_map: GT video index → prediction video index (identity when None).
        switch_log: When given, each counted ``id_switches`` switch is appended to it.

    Returns:
        Dict of python scalars. Per-frame matching: ``id_switches``, ``idf1``, ``idp``,
        ``idr``, ``idtp``, ``idfp``, ``idfn``. CLEAR-MOT matching: ``id_switches_clearmot``,
        ``mota``, ``fragmentations``, ``mostly_tracked``, ``partially_tracked``,
        ``mostly_lost``, ``num_matches``, ``false_positives``, ``misses``. All valid pairs:
        ``idf1_all_pairs``. Counts: ``num_frames``, ``num_gt``, ``num_pred``,
        ``num_gt_tracks``, ``num_pred_tracks``; and ``match_by``, ``threshold``. Ratios are
        NaN when their denominator is 0.

    Raises:
        InvalidOptionError: unknown ``match_by`` or a negative threshold.
    """
    if match_by not in DEFAULT_THRESHOLDS:
        raise InvalidOptionError(
            f"unknown identity matching rule '{match_by}'", hint="use 'distance' or 'oks'"
        )
    thr = DEFAULT_THRESHOLDS[match_by] if threshold is None else float(threshold)
    if thr < 0:
        raise InvalidOptionError(f"identity match threshold must be ≥ 0, got {thr}")

    pred_by_key: dict[tuple[int, int], list[Instance]] = {}
    for fr in pred_frames:
        pred_by_key.setdefault(_frame_key(fr), []).extend(_tracked(fr.instances))

    vmap = dict(video_map) if video_map is not None else None
    gt_by_key: dict[tuple[int, int], list[Instance]] = {}
    for fr in gt_frames:
        insts = fr.user_instances if user_labels_only else list(fr.instances)
        insts = _tracked(insts)
        if not insts:
            continue
        vid = fr.video_index if vmap is None else vmap.get(fr.video_index)
        if vid is None:
            continue
        gt_by_key.setdefault((vid, fr.frame_idx), []).extend(insts)

    n_gt = n_pred = n_frames = 0
    gt_count: dict[Track, int] = {}
    pred_count: dict[Track, int] = {}
    # per-frame matching (headline): switches and IDF1 over the matched pairs
    last_frame_match: dict[Track, Track] = {}
    matched_pairs: dict[tuple[Track, Track], int] = {}
    n_sw = 0
    # every valid pair (IDF1 as Ristani et al. / TrackEval)
    valid_pairs: dict[tuple[Track, Track], int] = {}
    # CLEAR-MOT
    last_match: dict[Track, Track] = {}  # GT track -> pred track of its latest match
    status: dict[Track, list[bool]] = {}  # per GT track: matched flags in frame order
    n_match = n_fp = n_fn = n_sw_mot = 0
    for key in sorted(gt_by_key):
        gts = gt_by_key[key]
        preds = pred_by_key.get(key, [])
        n_frames += 1
        n_gt += len(gts)
        n_pred += len(preds)
        g_tracks = [_track(g) for g in gts]
        p_tracks = [_track(p) for p in preds]
        for gk in g_tracks:
            gt_count[gk] = gt_count.get(gk, 0) + 1
        for pk in p_tracks:
            pred_count[pk] = pred_count.get(pk, 0) + 1
        cost, valid = _frame_cost(gts, preds, match_by, thr, oks_stddev)

        for gi, pi in zip(*np.nonzero(valid)):
            pair = (g_tracks[int(gi)], p_tracks[int(pi)])
            valid_pairs[pair] = valid_pairs.get(pair, 0) + 1

        for gi, pi in _min_cost_matching(cost, valid):
            gk, pk = g_tracks[gi], p_tracks[pi]
            matched_pairs[(gk, pk)] = matched_pairs.get((gk, pk), 0) + 1
            if gk in last_frame_match and last_frame_match[gk] is not pk:
                n_sw += 1
                if switch_log is not None:
                    switch_log.append(IdSwitch(key[1], key[0], gk.name,
                                               last_frame_match[gk].name, pk.name))
            last_frame_match[gk] = pk

        # CLEAR-MOT: keep still-valid correspondences, assign the rest.
        pairs: list[tuple[int, int]] = []
        used_p: set[int] = set()
        for gi, gk in enumerate(g_tracks):
            want = last_match.get(gk)
            if want is None:
                continue
            for pi, pk in enumerate(p_tracks):
                if pi not in used_p and pk is want and valid[gi, pi]:
                    pairs.append((gi, pi))
                    used_p.add(pi)
                    break
        used_g = {gi for gi, _ in pairs}
        rest_g = [i for i in range(len(gts)) if i not in used_g]
        rest_p = [i for i in range(len(preds)) if i not in used_p]
        if rest_g and rest_p:
            sub = _assign(cost[np.ix_(rest_g, rest_p)], valid[np.ix_(rest_g, rest_p)])
            pairs.extend((rest_g[a], rest_p[b]) for a, b in sub)
        for gi, pi in pairs:
            gk, pk = g_tracks[gi], p_tracks[pi]
            if gk in last_match and last_match[gk] is not pk:
                n_sw_mot += 1
            last_match[gk] = pk
        matched_g = {gi for gi, _ in pairs}
        for gi, gk in enumerate(g_tracks):
            status.setdefault(gk, []).append(gi in matched_g)
        n_match += len(pairs)
        n_fn += len(gts) - len(pairs)
        n_fp += len(preds) - len(pairs)

    # Fragmentations and MT/PT/ML per GT track.
    n_frag = mt = pt = ml = 0
    for flags in status.values():
        arr = np.asarray(flags, dtype=bool)
        hit = np.flatnonzero(arr)
        if len(hit):
            span = arr[hit[0] : hit[-1] + 1].astype(np.int8)
            n_frag += int((np.diff(span) == -1).sum())
        frac = float(arr.mean()) if len(arr) else 0.0
        if frac >= _MT_FRACTION:
            mt += 1
        elif frac <= _ML_FRACTION:
            ml += 1
        else:
            pt += 1

    gt_tracks = list(gt_count)
    pred_tracks = list(pred_count)
    idtp = _best_track_pairing(matched_pairs, gt_tracks, pred_tracks)
    idtp_all = _best_track_pairing(valid_pairs, gt_tracks, pred_tracks)

    def _ratio(num: float, den: float) -> float:
        return float(num) / float(den) if den else float("nan")

    return {
        "id_switches": n_sw,
        "idf1": _ratio(2 * idtp, n_gt + n_pred),
        "idp": _ratio(idtp, n_pred),
        "idr": _ratio(idtp, n_gt),
        "idtp": idtp,
        "idfp": n_pred - idtp,
        "idfn": n_gt - idtp,
        "id_switches_clearmot": n_sw_mot,
        "idf1_all_pairs": _ratio(2 * idtp_all, n_gt + n_pred),
        "mota": 1.0 - _ratio(n_fn + n_fp + n_sw_mot, n_gt) if n_gt else float("nan"),
        "fragmentations": n_frag,
        "mostly_tracked": mt,
        "partially_tracked": pt,
        "mostly_lost": ml,
        "num_frames": n_frames,
        "num_gt": n_gt,
        "num_pred": n_pred,
        "num_matches": n_match,
        "false_positives": n_fp,
        "misses": n_fn,
        "num_gt_tracks": len(gt_tracks),
        "num_pred_tracks": len(pred_tracks),
        "match_by": match_by,
        "threshold": thr,
    }


def _track(inst: Instance) -> Track:
    assert inst.track is not None  # _tracked() kept only tracked instances
    return inst.track


def _best_track_pairing(
    counts: Mapping[tuple[Track, Track], int], gt_tracks: list[Track], pred_tracks: list[Track]
) -> int:
    """Largest total of ``counts`` over one-to-one GT-track ↔ prediction-track pairings."""
    if not gt_tracks or not pred_tracks:
        return 0
    m = np.zeros((len(gt_tracks), len(pred_tracks)))
    gi_of = {t: i for i, t in enumerate(gt_tracks)}
    pi_of = {t: i for i, t in enumerate(pred_tracks)}
    for (gk, pk), c in counts.items():
        m[gi_of[gk], pi_of[pk]] = c
    rows, cols = hungarian(-m)
    return int(m[rows, cols].sum())
