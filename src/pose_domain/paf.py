"""Bottom-up grouping: score PAF line integrals, match peaks per edge, assemble instances.

Reproduces sleap-nn 0.3.5's ``PAFScorer`` numerics (ADR-0021): float32 arithmetic in the
reference's operation order, nearest-neighbour PAF sampling with half-to-even rounding, the
``max(Hp, Wp, 2E)`` edge-length quirk, Hungarian matching per edge, and assembly along the
BFS order of the edge graph (connections whose source is unassigned are ignored; edges not
reached by the BFS are unused).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import numpy as np

from pose_domain.defaults import (
    DEFAULT_DIST_PENALTY_WEIGHT,
    DEFAULT_MAX_EDGE_LENGTH_RATIO,
    DEFAULT_MIN_LINE_SCORES,
    DEFAULT_PAF_LINE_POINTS,
)
from pose_domain.matching import hungarian
from pose_domain.peaks import PeakSet

_F32 = np.float32
_EPS32 = np.finfo(np.float32).eps


@attrs.frozen
class PafParams:
    """Grouping parameters (sleap-nn defaults).

    Attributes:
        max_edge_length_ratio: Longest expected edge as a fraction of ``max(Hp, Wp, 2E)``
            PAF cells (times the PAF stride); longer candidates are penalised.
        dist_penalty_weight: Scale of that penalty.
        n_points: Points sampled along each candidate line.
        min_instance_peaks: Minimum assigned peaks per instance when > 0: a ``float`` means
            ``int(value * n_nodes)`` (what the CLI always passes), an ``int`` is absolute.
        min_line_scores: Matches with a line score below this are discarded (inclusive keep).
    """

    max_edge_length_ratio: float = DEFAULT_MAX_EDGE_LENGTH_RATIO
    dist_penalty_weight: float = DEFAULT_DIST_PENALTY_WEIGHT
    n_points: int = DEFAULT_PAF_LINE_POINTS
    min_instance_peaks: float = 0.0
    min_line_scores: float = DEFAULT_MIN_LINE_SCORES


def line_fractions(n_points: int) -> np.ndarray:
    """``(n_points,)`` float32 fractions ``t`` along a line, as ``torch.linspace(0, 1, n)``.

    The line points are ``src + (dst - src) / (1 + eps32) * t``.
    """
    n = int(n_points)
    if n <= 1:
        return np.zeros(max(n, 0), dtype=_F32)
    i = np.arange(n)
    if n == 10:  # torch's vectorised kernel: i * step for these indices
        return (i * (1.0 / (n - 1))).astype(_F32)
    step = _F32(1) / _F32(n - 1)
    lo = step * i.astype(_F32)
    hi = _F32(1) - step * (n - 1 - i).astype(_F32)
    return np.where(i < n // 2, lo, hi).astype(_F32)


def toposort_edges(edges: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Edge indices in the order instance assembly visits them.

    The edge graph's nodes are ordered by first appearance in ``edges``; the root is the first
    node without incoming edges; edges are taken in breadth-first order from the root,
    visiting successors in insertion order and skipping edges into already visited nodes.
    Edges not reached this way are not used (reference behaviour, ADR-0021).

    Args:
        edges: ``(src, dst)`` node index pairs.

    Returns:
        Indices into ``edges`` (first occurrence for duplicates).

    Raises:
        ValueError: when the edge graph has a cycle and no root.
    """
    if not edges:
        return ()
    order: list[int] = []
    succ: dict[int, list[int]] = {}
    indeg: dict[int, int] = {}
    for s, d in edges:
        for v in (s, d):
            if v not in succ:
                succ[v] = []
                indeg[v] = 0
                order.append(v)
        if d not in succ[s]:
            succ[s].append(d)
            indeg[d] += 1
    roots = [v for v in order if indeg[v] == 0]
    if not roots:
        raise ValueError("the skeleton's edge graph has a cycle, so it has no root node")
    root = roots[0]
    index: dict[tuple[int, int], int] = {}
    for k, e in enumerate(edges):
        index.setdefault((int(e[0]), int(e[1])), k)
    visited = {root}
    queue = [root]
    out: list[int] = []
    while queue:
        parent = queue.pop(0)
        for child in succ[parent]:
            if child not in visited:
                visited.add(child)
                queue.append(child)
                out.append(index[(int(parent), int(child))])
    return tuple(out)


def max_edge_length(paf_shape: tuple[int, int, int], paf_stride: int, ratio: float) -> float:
    """``ratio · max(Hp, Wp, 2E) · stride`` — the channel count inside ``max`` is a quirk."""
    return float(ratio * max(paf_shape) * paf_stride)


def line_subs(
    src: np.ndarray, dst: np.ndarray, n_points: int, paf_stride: int, hw: tuple[int, int]
) -> np.ndarray:
    """PAF cells sampled along candidate lines (nearest cell, half-to-even rounding).

    Args:
        src: ``(n, 2)`` source ``(x, y)`` in input pixels.
        dst: ``(n, 2)`` destination ``(x, y)`` in input pixels.
        n_points: Samples per line.
        paf_stride: Input pixels per PAF cell.
        hw: ``(Hp, Wp)``; rows and columns are clipped into the map.

    Returns:
        ``(n, n_points, 2)`` int64 ``(row, col)`` per sample, computed in float32 as
        ``rint((src + (dst - src) / (1 + eps32) · t) / stride)``.
    """
    s = np.asarray(src, dtype=_F32).reshape(-1, 2)
    d = np.asarray(dst, dtype=_F32).reshape(-1, 2)
    t = line_fractions(n_points)
    slope = (d - s) / _F32(1 + _EPS32)
    pts = s[:, None, :] + slope[:, None, :] * t[None, :, None]  # (n, P, 2) x, y
    subs = np.rint(pts / _F32(paf_stride)).astype(np.int64)
    rows = np.clip(subs[..., 1], 0, hw[0] - 1)
    cols = np.clip(subs[..., 0], 0, hw[1] - 1)
    return np.stack([rows, cols], axis=-1)


def distance_penalty(lengths: np.ndarray, max_len: float, weight: float = 1.0) -> np.ndarray:
    """``min(max_len / length - 1, 0) · weight`` in float32 (``(1/length) · max_len``, as torch).

    Args:
        lengths: ``(n,)`` candidate lengths in input pixels (0 gives -inf·0 → NaN or inf).
        max_len: Longest unpenalised length (see :func:`max_edge_length`).
        weight: Penalty weight.

    Returns:
        ``(n,)`` float32 penalties (<= 0).
    """
    ln = np.asarray(lengths, dtype=_F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        pen = np.minimum((_F32(1) / ln) * _F32(max_len) - _F32(1), _F32(0))
    return (pen * _F32(weight)).astype(_F32)


def score_candidates(
    src: np.ndarray,
    dst: np.ndarray,
    edge_inds: np.ndarray,
    pafs: np.ndarray,
    paf_stride: int,
    params: PafParams,
) -> np.ndarray:
    """Line-integral scores of candidate connections, in float32 like the reference.

    Args:
        src: ``(n, 2)`` source peaks ``(x, y)`` in input pixels.
        dst: ``(n, 2)`` destination peaks ``(x, y)`` in input pixels.
        edge_inds: ``(n,)`` int edge index of each candidate.
        pafs: ``(Hp, Wp, 2E)`` PAFs (channel ``2k`` = x, ``2k+1`` = y of edge ``k``).
        paf_stride: PAF output stride in input pixels per cell.
        params: Grouping parameters.

    Returns:
        ``(n,)`` float32 scores = mean of ``paf · unit(dst - src)`` over ``n_points`` samples
        plus ``min(max_len/len - 1, 0) · weight``. NaN for coincident peaks.
    """
    n = len(src)
    if n == 0:
        return np.zeros(0, dtype=_F32)
    pafs = np.asarray(pafs)
    hp, wp, _ = pafs.shape
    s = np.asarray(src, dtype=_F32)
    d = np.asarray(dst, dtype=_F32)
    subs = line_subs(s, d, params.n_points, paf_stride, (hp, wp))
    rows, cols = subs[..., 0], subs[..., 1]
    ch = 2 * np.asarray(edge_inds, dtype=np.int64)[:, None]
    lx = pafs[rows, cols, ch].astype(_F32)
    ly = pafs[rows, cols, ch + 1].astype(_F32)
    vec = d - s
    with np.errstate(divide="ignore", invalid="ignore"):
        length = np.sqrt(vec[:, 0] * vec[:, 0] + vec[:, 1] * vec[:, 1]).astype(_F32)
        unit = vec / length[:, None]
        per_point = lx * unit[:, None, 0] + ly * unit[:, None, 1]
        mean = (per_point.sum(axis=1, dtype=_F32) / _F32(per_point.shape[1])).astype(_F32)
    max_len = max_edge_length(pafs.shape, paf_stride, params.max_edge_length_ratio)
    pen = distance_penalty(length, max_len, params.dist_penalty_weight)
    return (mean + pen).astype(_F32)


def _match_edge(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hungarian matching on ``-scores`` (NaN forbidden); rows ascending."""
    cost = -scores.astype(np.float64)
    cost[np.isnan(cost)] = np.inf
    ns, nd = cost.shape
    if ns == 1 or nd == 1:
        # A single row/column: the cheapest finite cell, when it is unique (ties go to the
        # solver so that its tie-breaking is kept).
        flat = cost.ravel()
        best = int(np.argmin(flat))
        if np.isfinite(flat[best]) and np.count_nonzero(flat == flat[best]) == 1:
            if ns == 1:
                return np.zeros(1, np.int64), np.array([best], np.int64)
            return np.array([best], np.int64), np.zeros(1, np.int64)
    try:
        return hungarian(cost)
    except ValueError:
        # The reference crashes ("cost matrix is infeasible"); we match what can be matched.
        finite = np.isfinite(cost)
        big = (np.abs(cost[finite]).sum() + 1.0) * (cost.shape[0] + cost.shape[1] + 1)
        rows, cols = hungarian(np.where(finite, cost, big))
        ok = finite[rows, cols]
        return rows[ok], cols[ok]


LineScoreFn = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def group_instances(
    peaks: PeakSet,
    pafs: np.ndarray,
    edges: Sequence[tuple[int, int]],
    n_nodes: int,
    paf_stride: int,
    params: PafParams,
    line_scores: LineScoreFn | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group one sample's peaks into instances with part affinity fields.

    Args:
        peaks: The sample's peaks in INPUT pixels (grid × confmap stride), in the peak
            finder's order; ``channels`` are node indices.
        pafs: ``(Hp, Wp, 2E)`` float32 PAFs (channel-last).
        edges: ``(src, dst)`` node index pairs of the skeleton, ``E`` of them.
        n_nodes: Number of skeleton nodes ``N``.
        paf_stride: PAF output stride (input pixels per PAF cell).
        params: Grouping parameters.
        line_scores: Precomputed candidate scores (e.g. from a graph that scored the lines
            itself): ``(src peak idx (c,), dst peak idx (c,), edge idx (c,)) -> (c,)``
            float32. None scores them from ``pafs``.

    Returns:
        ``points`` ``(n_inst, N, 2)`` float64 input pixels (NaN = missing node),
        ``point_scores`` ``(n_inst, N)`` float64 peak values (NaN = missing), and
        ``instance_scores`` ``(n_inst,)`` float64 — the float32 sum of the instance's kept
        line scores — in assembly (creation) order.
    """
    n = int(n_nodes)
    empty = (np.zeros((0, n, 2)), np.zeros((0, n)), np.zeros(0))
    if len(peaks) == 0 or not edges:
        return empty
    pts = np.asarray(peaks.points, dtype=np.float64)
    vals = np.asarray(peaks.values, dtype=np.float64)
    chans = np.asarray(peaks.channels, dtype=np.int64)
    node_order = np.argsort(chans, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(chans, minlength=n)[:n])])
    by_node = [node_order[bounds[k] : bounds[k + 1]] for k in range(n)]
    order = toposort_edges(edges)
    if not order:
        return empty

    # Score every candidate of the used edges in one vectorised pass.
    src_idx: list[np.ndarray] = []
    dst_idx: list[np.ndarray] = []
    cand_edge: list[np.ndarray] = []
    shapes: list[tuple[int, int]] = []
    for k in order:
        s_nodes, d_nodes = by_node[edges[k][0]], by_node[edges[k][1]]
        src_idx.append(np.repeat(s_nodes, len(d_nodes)))
        dst_idx.append(np.tile(d_nodes, len(s_nodes)))
        cand_edge.append(np.full(len(s_nodes) * len(d_nodes), k, dtype=np.int64))
        shapes.append((len(s_nodes), len(d_nodes)))
    all_src = np.concatenate(src_idx)
    all_dst = np.concatenate(dst_idx)
    all_edge = np.concatenate(cand_edge)
    if line_scores is not None:
        scores = np.asarray(line_scores(all_src, all_dst, all_edge), dtype=np.float32)
    else:
        scores = score_candidates(pts[all_src], pts[all_dst], all_edge, pafs, paf_stride, params)

    # Match per edge, keep good matches, assemble along the BFS edge order.
    min_score = _F32(params.min_line_scores)
    assign: dict[tuple[int, int], int] = {}  # (node, rank within node) → instance id
    connections: list[tuple[tuple[int, int], tuple[int, int], np.float32]] = []
    start = 0
    for k, (ns, nd) in zip(order, shapes):
        block = scores[start : start + ns * nd].reshape(ns, nd)
        start += ns * nd
        if ns == 0 or nd == 0:
            continue
        rows, cols = _match_edge(block)
        src_node, dst_node = int(edges[k][0]), int(edges[k][1])
        for r, c in zip(rows.tolist(), cols.tolist()):
            score = block[r, c]
            if not score >= min_score:
                continue
            sid, did = (src_node, r), (dst_node, c)
            connections.append((sid, did, score))
            s_inst, d_inst = assign.get(sid), assign.get(did)
            if s_inst is None and d_inst is None:
                new = max(assign.values(), default=-1) + 1
                assign[sid] = new
                assign[did] = new
            elif s_inst is not None and d_inst is None:
                assign[did] = s_inst
            elif s_inst is not None and d_inst is not None:
                assign[did] = s_inst
                s_nodes_set = {p[0] for p, i in assign.items() if i == s_inst}
                d_nodes_set = {p[0] for p, i in assign.items() if i == d_inst}
                if not s_nodes_set & d_nodes_set:
                    for p, i in assign.items():
                        if i == d_inst:
                            assign[p] = s_inst
            # only dst assigned: the reference does nothing.

    min_peaks = params.min_instance_peaks
    if min_peaks > 0:
        threshold = int(min_peaks * n) if isinstance(min_peaks, float) else int(min_peaks)
        counts: dict[int, int] = {}
        for i in assign.values():
            counts[i] = counts.get(i, 0) + 1
        assign = {p: i for p, i in assign.items() if counts[i] >= threshold}
    if not assign:
        return empty

    ids = sorted(set(assign.values()))
    compact = {i: j for j, i in enumerate(ids)}
    n_inst = len(ids)
    inst_scores = np.zeros(n_inst, dtype=_F32)
    for sid, _did, score in connections:
        if sid in assign:
            inst_scores[compact[assign[sid]]] += score
    points = np.full((n_inst, n, 2), np.nan)
    point_scores = np.full((n_inst, n), np.nan)
    for (node, rank), i in assign.items():
        g = by_node[node][rank]
        points[compact[i], node] = pts[g]
        point_scores[compact[i], node] = vals[g]
    return points, point_scores, inst_scores.astype(np.float64)
