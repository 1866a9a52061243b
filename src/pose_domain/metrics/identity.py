"""Identity (multi-object tracking) metrics for tracked poses: CLEAR-MOT and IDF1.

The reference ``sleap-nn eval`` has none of these; they follow the standard definitions
(Bernardin & Stiefelhagen 2008 for CLEAR-MOT, Ristani et al. 2016 for IDF1, as implemented by
common MOT toolkits).

Matching rule (documented contract):

* **Frames.** A frame is evaluated when the ground truth has at least one (tracked) instance in
  it; only user instances count as GT when ``user_labels_only`` is true. Predictions are read
  from the frame with the same ``(video, frame_idx)``; predictions in frames without GT are
  ignored (unlabeled frames say nothing about errors). Instances without a track, on either
  side, are left out.
* **Per-frame GT↔prediction validity.** With ``match_by="distance"`` (default) a pair is a
  candidate when the mean Euclidean distance over the nodes visible in both is at most
  ``threshold`` px (no common node → never); the default 50 px is the reference's own
  distance gate for point matching (``sleap-nn eval`` centroid mode). With
  ``match_by="oks"`` a pair is a candidate when its OKS
  (:func:`pose_domain.metrics.oks.compute_oks`, σ = ``oks_stddev``) is at least ``threshold``.
* **CLEAR-MOT.** In each frame, a GT track keeps the prediction track it was last matched to
  (in any earlier frame) if that pair is still a candidate; the remaining GT and predictions
  are matched by a minimum-cost assignment (maximum number of candidate pairs, then lowest
  cost: distance, or ``1 - OKS``). A matched GT whose previous match (in any earlier frame)
  was a different prediction track is an **identity switch**. Unmatched GT are misses (FN),
  unmatched predictions false positives (FP); ``MOTA = 1 - (FN + FP + IDSW) / n_gt``.
  A **fragmentation** is an interruption of a GT track's matched status that is later resumed
  (matched → unmatched … → matched). A GT track is **mostly tracked** when matched in ≥ 80 % of
  the frames where it exists, **mostly lost** when ≤ 20 %, else partially tracked.
* **IDF1.** For every (GT track, prediction track) pair, the ID-true-positives are the frames
  where both are present and the pair is a candidate. One global one-to-one assignment of GT
  tracks to prediction tracks maximizes the total; ``IDTP`` is that total, ``IDFN = n_gt -
  IDTP``, ``IDFP = n_pred - IDTP``, ``IDP = IDTP / n_pred``, ``IDR = IDTP / n_gt``,
  ``IDF1 = 2 IDTP / (n_gt + n_pred)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from pose_domain.errors import InvalidOptionError
from pose_domain.instance import Instance, LabeledFrame, Track
from pose_domain.matching import hungarian
from pose_domain.metrics.oks import DEFAULT_OKS_STDDEV, compute_oks

MatchBy = Literal["distance", "oks"]

#: Default candidate threshold per matching rule: px for distance, OKS for oks.
DEFAULT_THRESHOLDS: Mapping[str, float] = {"distance": 50.0, "oks": 0.5}

_MT_FRACTION = 0.8
_ML_FRACTION = 0.2


def mean_node_distance(gt: NDArray[np.float64], pred: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean Euclidean distance over nodes visible in both poses.

    Args:
        gt: ``(n_gt, n_nodes, 2)`` float px, NaN = missing.
        pred: ``(n_pr, n_nodes, 2)`` float px, NaN = missing.

    Returns:
        ``(n_gt, n_pr)`` float64 px; ``inf`` where no node is visible in both.
    """
    d = np.linalg.norm(gt[:, None, :, :] - pred[None, :, :, :], axis=-1)  # (g, p, n)
    ok = ~np.isnan(d)
    count = ok.sum(axis=-1)
    total = np.where(ok, d, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    return np.where(count > 0, mean, np.inf)


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
        cost = mean_node_distance(g, p)
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


def _frame_key(frame: LabeledFrame) -> tuple[int, int]:
    return (frame.video_index, frame.frame_idx)


def identity_metrics(
    gt_frames: Sequence[LabeledFrame],
    pred_frames: Sequence[LabeledFrame],
    *,
    match_by: MatchBy = "distance",
    threshold: float | None = None,
    oks_stddev: float = DEFAULT_OKS_STDDEV,
    user_labels_only: bool = True,
    video_map: Mapping[int, int] | None = None,
) -> dict[str, Any]:
    """CLEAR-MOT and IDF1 identity metrics of tracked predictions against tracked GT.

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

    Returns:
        Dict of python scalars: ``id_switches``, ``idf1``, ``idp``, ``idr``, ``idtp``,
        ``idfp``, ``idfn``, ``mota``, ``fragmentations``, ``mostly_tracked``,
        ``partially_tracked``, ``mostly_lost``, ``num_frames``, ``num_gt``, ``num_pred``,
        ``num_matches``, ``false_positives``, ``misses``, ``num_gt_tracks``,
        ``num_pred_tracks``, ``match_by``, ``threshold``. Ratios are NaN when their
        denominator is 0.

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

    last_match: dict[Track, Track] = {}  # GT track -> pred track of its latest match
    # per GT track: list of matched flags in frame order
    status: dict[Track, list[bool]] = {}
    # IDF1 co-occurrence counts
    idtp_pairs: dict[tuple[Track, Track], int] = {}
    gt_count: dict[Track, int] = {}
    pred_count: dict[Track, int] = {}

    n_gt = n_pred = n_match = n_fp = n_fn = n_sw = 0
    n_frames = 0
    for key in sorted(gt_by_key):
        gts = gt_by_key[key]
        preds = pred_by_key.get(key, [])
        n_frames += 1
        n_gt += len(gts)
        n_pred += len(preds)
        for g in gts:
            assert g.track is not None
            gt_count[g.track] = gt_count.get(g.track, 0) + 1
        for p in preds:
            assert p.track is not None
            pred_count[p.track] = pred_count.get(p.track, 0) + 1
        cost, valid = _frame_cost(gts, preds, match_by, thr, oks_stddev)

        # IDF1: every candidate pair is an ID-true-positive opportunity.
        for gi, pi in zip(*np.nonzero(valid)):
            gk = gts[int(gi)].track
            pk = preds[int(pi)].track
            assert gk is not None and pk is not None
            idtp_pairs[(gk, pk)] = idtp_pairs.get((gk, pk), 0) + 1

        # CLEAR-MOT: keep still-valid correspondences, assign the rest.
        pairs: list[tuple[int, int]] = []
        used_g: set[int] = set()
        used_p: set[int] = set()
        for gi, g in enumerate(gts):
            want = last_match.get(g.track) if g.track is not None else None
            if want is None:
                continue
            for pi, p in enumerate(preds):
                if pi not in used_p and p.track is want and valid[gi, pi]:
                    pairs.append((gi, pi))
                    used_g.add(gi)
                    used_p.add(pi)
                    break
        rest_g = [i for i in range(len(gts)) if i not in used_g]
        rest_p = [i for i in range(len(preds)) if i not in used_p]
        if rest_g and rest_p:
            sub = _assign(cost[np.ix_(rest_g, rest_p)], valid[np.ix_(rest_g, rest_p)])
            pairs.extend((rest_g[a], rest_p[b]) for a, b in sub)

        matched_g = {gi for gi, _ in pairs}
        for gi, pi in pairs:
            gk, pk = gts[gi].track, preds[pi].track
            assert gk is not None and pk is not None
            if gk in last_match and last_match[gk] is not pk:
                n_sw += 1
            last_match[gk] = pk
        for gi, g in enumerate(gts):
            assert g.track is not None
            status.setdefault(g.track, []).append(gi in matched_g)
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

    # IDF1: global GT-track ↔ pred-track assignment maximizing the ID-true-positives.
    gt_tracks = list(gt_count)
    pred_tracks = list(pred_count)
    idtp = 0
    if gt_tracks and pred_tracks:
        m = np.zeros((len(gt_tracks), len(pred_tracks)))
        gi_of = {t: i for i, t in enumerate(gt_tracks)}
        pi_of = {t: i for i, t in enumerate(pred_tracks)}
        for (gk, pk), c in idtp_pairs.items():
            m[gi_of[gk], pi_of[pk]] = c
        rows, cols = hungarian(-m)
        idtp = int(m[rows, cols].sum())
    idfn = n_gt - idtp
    idfp = n_pred - idtp

    def _ratio(num: float, den: float) -> float:
        return float(num) / float(den) if den else float("nan")

    return {
        "id_switches": n_sw,
        "idf1": _ratio(2 * idtp, n_gt + n_pred),
        "idp": _ratio(idtp, n_pred),
        "idr": _ratio(idtp, n_gt),
        "idtp": idtp,
        "idfp": idfp,
        "idfn": idfn,
        "mota": 1.0 - _ratio(n_fn + n_fp + n_sw, n_gt) if n_gt else float("nan"),
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
