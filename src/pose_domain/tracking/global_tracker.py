"""Offline identity tracking over the whole video (``--tracker global``, ADR-0036).

1. **Tracklets**: consecutive frames are linked only when the link is close (node
   displacement below a motion gate estimated from the data) and unambiguous (every
   alternative is at least twice as far). Anything doubtful breaks the tracklet.
2. **Global assignment**: tracklets are nodes of a DAG; an edge joins a tracklet to every later
   one within ``max_gap`` frames, costed by motion continuity (constant-velocity extrapolation
   both ways, Gaussian in the displacement with a spread growing with the gap, capped so that a
   teleport is affordable) plus a body-size term (animals differ in size). Every instance
   covered is a reward. ``K`` node-disjoint minimum-cost paths (min-cost flow,
   :func:`pose_domain.tracking.paths.disjoint_paths`) are the ``K`` identities.
   An instance larger than an animal (nodes of two animals joined) is first split into its
   groups of nearby nodes (ADR-0087); each group is tracked like any partial pose.
3. Instances on no path are outliers (e.g. mixed-up skeletons) and are dropped, like the
   reference drops instances it cannot track.
4. Node re-assignment (ADR-0081): per frame and node type, nodes far from their identity's
   smoothed node are freed and free nodes go to the identities lacking them, so an instance
   that joined nodes of two animals is split between them; unchanged instances pass through.
5. Flip correction (ADR-0085): node pairs the detector confuses (found in the data, or given)
   are swapped back per identity and frame by a two-state Viterbi on node continuity.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pose_domain.distance import mean_node_distance
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.matching import hungarian, linked_groups
from pose_domain.tracking.online import attach
from pose_domain.tracking.paths import disjoint_paths


@attrs.frozen(kw_only=True)
class GlobalConfig:
    """Settings of the offline tracker.

    Attributes:
        n_identities: Number of animals (None: the most common instance count per frame).
        max_gap: Any later tracklet starting within this many frames is a possible successor.
        long_links: Beyond ``max_gap``, the first this-many later tracklets of at least
            ``min_long_length`` instances are possible successors too (long absences).
        ambiguity_ratio: A link is unambiguous when alternatives are this many times farther.
        reward: Reward per instance covered by an identity (in units of link cost).
        cost_cap: Largest motion cost of a link (a jump costs at most this).
        size_weight: Weight of the body-size term.
        keep_unassigned: Keep outlier instances (untracked) instead of dropping them.
        gate_body: Tracklet link gate as a fraction of the body size.
        sigma_body: Motion spread of a one-frame gap as a fraction of the body size...
        sigma_steps: ... or this many median frame-to-frame steps, whichever is larger.
        max_size_ratio: Instances larger than this many typical body sizes are outliers
            (0 = off).
        split_joined: Split such an instance into groups of nodes chained by steps of at most
            ``split_gap`` body sizes and track each group of plausible size as a partial pose
            (ADR-0087); off = drop the instance.
        split_gap: Largest step between nodes of one group, in body sizes.
        refine_passes: Passes of smoothed-trajectory re-assignment after the global solve.
        refine_window: Half-width (frames) of the per-identity running median.
        refine_gate: Largest distance to an identity's smoothed pose, in body sizes.
        partial_gate: Factor on that gate for instances with at most half their nodes.
        velocity_weight: Damping of the constant-velocity extrapolation (0 = none).
        endpoint_frames: A tracklet's end poses are, per node, the median of that node's
            first (last) this-many sightings (a node missing at the very end is not unknown).
        node_reassign: After the solve, re-assign NODES of each frame to the identities'
            smoothed poses (ADR-0081): nodes of an identity's instance farther than
            ``node_gate`` from its smoothed node are freed, and free nodes (from freed ones and
            from instances no identity took) go, per node type, to the identities whose
            smoothed node they are nearest (Hungarian, within ``node_gate``).
        node_window: Half-width (frames) of the running median of the node reference poses.
        node_gate: Largest node distance to an identity's smoothed node, in body sizes.
        min_new_nodes: An identity without an instance in a frame gets one built from free
            nodes when at least this fraction of the skeleton's nodes are found.
        node_bridge: Between two sightings of an identity's node, its reference for node
            re-assignment is interpolated (ADR-0086), so an animal the detector lost as a whole
            for a while gets back its nodes found inside other detections.

        flip_fix: After node re-assignment, undo node-label swaps per identity (ADR-0085):
            for each confused node pair, a two-state (as detected / swapped) Viterbi over the
            identity's frames trades node continuity against ``flip_cost`` per swapped frame
            and, when the data show that one node of the pair leads the motion, the heading.
        flip_pairs: Node pairs that may be swapped (e.g. the skeleton's symmetries); None =
            found in the data (pairs whose nodes trade places between consecutive frames).
        flip_cost: Cost of swapping one frame's pair, in body sizes of node displacement.
        flip_min_rate: A pair is confused when at least this fraction of an identity's
            consecutive frame pairs (and at least 3) look like a swap.
        flip_motion: Weight (body sizes) of the heading term, full at ``flip_speed``.
        flip_speed: Speed (body sizes per frame) at which the heading term is fully trusted.
    """

    n_identities: int | None = None
    max_gap: int = 10
    long_links: int = 20
    min_long_length: int = 5
    ambiguity_ratio: float = 2.0
    reward: float = 1.0
    cost_cap: float = 30.0
    size_weight: float = 1.0
    keep_unassigned: bool = False
    gate_body: float = 0.6
    sigma_steps: float = 0.0
    max_size_ratio: float = 2.0
    refine_passes: int = 2
    refine_window: int = 15
    refine_gate: float = 1.0
    partial_gate: float = 1.0
    velocity_weight: float = 1.0
    endpoint_frames: int = 1
    sigma_body: float = 0.25
    node_reassign: bool = True
    node_gate: float = 1.25
    node_window: int = 3
    min_new_nodes: float = 0.5
    flip_fix: bool = True
    flip_pairs: tuple[tuple[int, int], ...] | None = None
    flip_cost: float = 0.03
    flip_min_rate: float = 0.005
    flip_motion: float = 0.5
    flip_speed: float = 0.05
    node_bridge: bool = True
    split_joined: bool = True
    split_gap: float = 1.0


def _size(points: np.ndarray) -> np.ndarray:
    """``(n,)`` RMS node distance from the centroid (px), NaN with < 2 visible nodes."""
    vis = ~np.isnan(points).any(axis=-1)
    cnt = vis.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        c = np.nanmean(np.where(vis[..., None], points, np.nan), axis=1) if points.size else None
    if c is None:
        return np.zeros(0)
    r2 = np.where(vis, np.sum((points - c[:, None]) ** 2, axis=-1), 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sqrt(r2 / cnt)
    out[cnt < 2] = np.nan
    return out


@attrs.define
class _Tracklet:
    members: list[tuple[int, int]]  # (frame position, instance row)
    points: list[np.ndarray]  # poses of the members


class GlobalTracker:
    """Whole-video tracker: :meth:`track` only collects; :meth:`finalize` assigns identities."""

    def __init__(self, config: GlobalConfig | None = None) -> None:
        self.config = config or GlobalConfig()
        self._tracks: list[Track] = []
        self._pending: set[int] = set()

    @property
    def tracks(self) -> list[Track]:
        """Identity tracks (``track_0`` ...), in order of first appearance."""
        return list(self._tracks)

    def track(
        self, instances: Sequence[Instance], frame_idx: int, image: Any = None
    ) -> list[Instance]:
        """Collect one frame; instances come back untracked (identities come in finalize)."""
        out = [attach(i, None, 0.0) for i in instances]
        self._pending.update(id(i) for i in out)
        return out

    def reset(self) -> None:
        """Nothing to forget between videos: :meth:`finalize` solves each video on its own."""

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        """Assign identities to the collected instances of ``frames`` (per video)."""
        by_video: dict[int, list[int]] = {}
        for k, fr in enumerate(frames):
            by_video.setdefault(fr.video_index, []).append(k)
        out = list(frames)
        for positions in by_video.values():
            positions.sort(key=lambda k: frames[k].frame_idx)
            for k, fr in zip(positions, self._solve([frames[k] for k in positions])):
                out[k] = fr
        self._pending.clear()
        return out

    # ------------------------------------------------------------------------ internals
    def _get_track(self, i: int) -> Track:
        while len(self._tracks) <= i:
            self._tracks.append(Track(f"track_{len(self._tracks)}"))
        return self._tracks[i]

    def _solve(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        cfg = self.config
        rows = [[i for i in fr.instances if id(i) in self._pending] for fr in frames]
        pts = [
            np.stack([i.points for i in r]) if r else np.zeros((0, 0, 2)) for r in rows
        ]
        counts = np.array([len(r) for r in rows])
        if counts.sum() == 0:
            return frames
        k = cfg.n_identities
        if k is None:
            nz = counts[counts > 0]
            vals, freq = np.unique(nz, return_counts=True)
            k = int(vals[freq == freq.max()].max())
        sizes = [_size(p) if len(p) else np.zeros(0) for p in pts]
        gate, sigma, body = self._scales(frames, pts, sizes)
        # per frame, working rows: the trackable ones first (instances of plausible size,
        # parts of split joined instances), then the oversized ones nobody tracks (their nodes
        # still go to node re-assignment)
        all_pts, origin, part, weight = [], [], [], []
        for frame_pts, sz in zip(pts, sizes):
            rows_f, org, is_part, share = self._working_rows(frame_pts, sz, body)
            all_pts.append(rows_f)
            origin.append(org)
            part.append(is_part)
            weight.append(share)
        pts = [rows_f[: len(w)] for rows_f, w in zip(all_pts, weight)]
        tracklets = self._tracklets(frames, pts, gate)
        paths = self._link(frames, tracklets, k, sigma, body, weight)
        assign: dict[tuple[int, int], int] = {}
        firsts = sorted(
            range(len(paths)), key=lambda p: tracklets[paths[p][0]].members[0][0]
        )
        for ident, p in enumerate(firsts):
            for t in paths[p]:
                for m in tracklets[t].members:
                    assign[m] = ident
        for _ in range(cfg.refine_passes):
            assign = self._refine(pts, assign, len(paths), body, part)
        poses: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        if cfg.node_reassign and len(paths):
            ref = _smoothed(all_pts, assign, len(paths), cfg.node_window)
            if cfg.node_bridge:
                ref = _bridged(ref, np.array([fr.frame_idx for fr in frames]))
            poses = self._reassign_nodes(all_pts, assign, ref, body)
        if cfg.flip_fix and len(paths):
            fidx = np.array([fr.frame_idx for fr in frames])
            poses = self._fix_flips(all_pts, assign, poses, len(paths), body, fidx)
        for (f, row), ident in assign.items():
            if part[f][row] and (f, ident) not in poses:
                q = all_pts[f][row]
                vis = ~np.isnan(q).any(axis=-1)
                poses[(f, ident)] = (q, np.where(vis, row, -1), np.arange(q.shape[0]))
        # back to rows of the frame's instances
        poses = {
            (f, ident): (q, np.where(own >= 0, origin[f][np.maximum(own, 0)], -1), sn)
            for (f, ident), (q, own, sn) in poses.items()
        }
        assign = {
            (f, int(origin[f][row])): ident
            for (f, row), ident in assign.items()
            if not part[f][row]
        }
        out: list[LabeledFrame] = []
        for f, fr in enumerate(frames):
            mine = {id(i): r for r, i in enumerate(rows[f])}
            insts: list[Instance] = []
            used: set[int] = set()
            for inst in fr.instances:
                r = mine.get(id(inst))
                if id(inst) not in self._pending:
                    insts.append(inst)
                elif r is not None and (f, r) in assign and (f, assign[(f, r)]) not in poses:
                    insts.append(attach(inst, self._get_track(assign[(f, r)]), 1.0))
                    used.add(r)
            for (_, ident), (points, owner, src) in sorted(
                (kv for kv in poses.items() if kv[0][0] == f), key=lambda kv: kv[0][1]
            ):
                if (owner >= 0).any():
                    insts.append(
                        self._rebuilt(rows[f], points, owner, src, self._get_track(ident))
                    )
                    used.update(int(o) for o in owner if o >= 0)
            if cfg.keep_unassigned:
                insts.extend(i for r, i in enumerate(rows[f]) if r not in used)
            out.append(attrs.evolve(fr, instances=insts))
        return out

    def _working_rows(
        self, p: np.ndarray, size: np.ndarray, body: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One frame's working rows: trackable first, then oversized rows nobody tracks.

        An instance larger than ``max_size_ratio`` body sizes (nodes of different animals
        joined) is split into its groups of nearby nodes (``split_joined``); each group of
        plausible size is trackable, worth its share of the instance's nodes (ADR-0087).

        Args:
            p: ``(n, N, 2)`` px, the frame's instances, NaN = missing.
            size: ``(n,)`` their :func:`_size`, px.
            body: Body size, px.

        Returns:
            ``(rows (m, N, 2), origin (m,) instance row of each row, then for the first t
            rows, the trackable ones: part (t,) bool (a part of a split instance), weight (t,)
            reward share)``.
        """
        cfg = self.config
        n = len(p)
        big = (size * 2 > cfg.max_size_ratio * body) if cfg.max_size_ratio and n else (
            np.zeros(n, dtype=bool)
        )
        if not big.any():
            return p, np.arange(n), np.zeros(n, dtype=bool), np.ones(n)
        whole = np.flatnonzero(~big).tolist()
        track: list[tuple[np.ndarray, int, float]] = [(p[r], r, 1.0) for r in whole]
        rest: list[tuple[np.ndarray, int]] = []
        for r in np.flatnonzero(big).tolist():
            groups = _parts(p[r], cfg.split_gap * body) if cfg.split_joined else [p[r]]
            n_vis = int((~np.isnan(p[r]).any(axis=-1)).sum())
            for q in groups:
                if len(groups) > 1 and not _size(q[None])[0] * 2 > cfg.max_size_ratio * body:
                    track.append((q, r, (~np.isnan(q).any(axis=-1)).sum() / n_vis))
                else:
                    rest.append((q, r))
        rows = np.stack([q for q, _, _ in track] + [q for q, _ in rest])
        origin = np.array([r for _, r, _ in track] + [r for _, r in rest], dtype=np.int64)
        is_part = np.arange(len(track)) >= len(whole)
        return rows, origin, is_part, np.array([w for _, _, w in track])

    @staticmethod
    def _rebuilt(
        rows: list[Instance],
        points: np.ndarray,
        owner: np.ndarray,
        src_node: np.ndarray,
        track: Track,
    ) -> PredictedInstance:
        """A predicted instance on ``track`` from nodes of several detected instances.

        Args:
            rows: The frame's detected instances.
            points: ``(N, 2)`` px, NaN = missing.
            owner: ``(N,)`` int, the row each node comes from (-1 = missing).
            src_node: ``(N,)`` int, the node index each node had in its row (differs from
                its own index when a label swap was undone); its point score comes along.
        """
        scores = np.full(len(owner), np.nan)
        for n, (o, sn) in enumerate(zip(owner.tolist(), src_node.tolist())):
            src = rows[o] if o >= 0 else None
            if isinstance(src, PredictedInstance):
                scores[n] = src.point_scores[sn]
            elif src is not None:
                scores[n] = 1.0
        present = owner[owner >= 0]
        main = rows[int(np.bincount(present).argmax())]
        score = main.score if isinstance(main, PredictedInstance) else 1.0
        return PredictedInstance.from_arrays(
            points, np.nan_to_num(scores), score, track=track, tracking_score=1.0
        )

    def _reassign_nodes(
        self,
        pts: list[np.ndarray],
        assign: dict[tuple[int, int], int],
        ref: np.ndarray,
        body: float,
    ) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per frame and node type, give detected nodes to the identities' smoothed nodes.

        Args:
            pts: Per frame ``(n_f_instances, N, 2)`` px, NaN = missing.
            assign: ``(frame, row) -> identity`` after the global solve.
            ref: ``(n_frames, K, N, 2)`` smoothed identity poses, NaN = unknown.
            body: Body size, px.

        Returns:
            ``(frame, identity) -> (points (N, 2), owner rows (N,), source node of each node
            in its row (N,))`` for every identity whose
            pose differs from its assigned instance (new, pruned or completed); identities
            whose instance is unchanged are absent.
        """
        cfg = self.config
        gate = cfg.node_gate * body
        k = ref.shape[1]
        by_frame: dict[int, dict[int, int]] = {}
        for (f, r), ident in assign.items():
            by_frame.setdefault(f, {})[ident] = r
        out: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for f, p in enumerate(pts):
            if not len(p):
                continue
            n_nodes = p.shape[1]
            held = by_frame.get(f, {})
            vis = ~np.isnan(p).any(axis=-1)  # (n, N)
            owner = np.full((k, n_nodes), -1)  # identity -> row of each of its nodes
            taken = np.zeros_like(vis)
            for ident, r in held.items():
                with np.errstate(invalid="ignore"):
                    d = np.linalg.norm(p[r] - ref[f, ident], axis=-1)
                ok = vis[r] & ~(d > gate)
                owner[ident, ok] = r
                taken[r, ok] = True
            for n in range(n_nodes):
                free = np.flatnonzero(vis[:, n] & ~taken[:, n])
                need = np.flatnonzero((owner[:, n] < 0) & ~np.isnan(ref[f, :, n]).any(axis=-1))
                if not free.size or not need.size:
                    continue
                d = np.linalg.norm(p[free, n][:, None] - ref[f, need, n][None], axis=-1)
                rr, cc = hungarian(d)
                for a, b in zip(rr.tolist(), cc.tolist()):
                    if d[a, b] <= gate:
                        owner[need[b], n] = free[a]
                        taken[free[a], n] = True
            min_new = max(1, int(np.ceil(cfg.min_new_nodes * n_nodes)))
            for ident in range(k):
                o = owner[ident]
                count = int((o >= 0).sum())
                r0 = held.get(ident)
                if r0 is not None and count == int(vis[r0].sum()) and (o[vis[r0]] == r0).all():
                    continue  # unchanged instance
                if count == 0 or (r0 is None and count < min_new):
                    if r0 is not None:
                        out[(f, ident)] = (np.full((n_nodes, 2), np.nan), o, np.arange(n_nodes))
                    continue
                points = np.full((n_nodes, 2), np.nan)
                has = o >= 0
                points[has] = p[o[has], np.flatnonzero(has)]
                out[(f, ident)] = (points, o, np.arange(n_nodes))
        return out

    def _fix_flips(
        self,
        pts: list[np.ndarray],
        assign: dict[tuple[int, int], int],
        poses: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]],
        k: int,
        body: float,
        fidx: np.ndarray,
    ) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Undo node-label swaps along each identity (ADR-0085).

        Args:
            pts: Per frame ``(n_f_instances, N, 2)`` px, NaN = missing.
            assign: ``(frame, row) -> identity``.
            poses: Re-assigned poses from :meth:`_reassign_nodes` (same layout as returned).
            k: Number of identities.
            body: Body size, px.
            fidx: ``(n_frames,)`` frame index of each frame position.

        Returns:
            ``poses`` plus an entry for every identity pose whose node labels were swapped:
            ``(frame, identity) -> (points (N, 2), owner rows (N,), source nodes (N,))``.
        """
        cfg = self.config
        n_nodes = next((p.shape[1] for p in pts if len(p)), 0)
        if n_nodes < 2:
            return poses
        # the final pose of every identity in every frame where it has one
        seq: list[dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]] = [{} for _ in range(k)]
        for (f, r), ident in assign.items():
            if (f, ident) not in poses:
                p = pts[f][r]
                vis = ~np.isnan(p).any(axis=-1)
                seq[ident][f] = (p, np.where(vis, r, -1), np.arange(n_nodes))
        for (f, ident), v in poses.items():
            if (v[1] >= 0).any():
                seq[ident][f] = v
        tracks: list[tuple[np.ndarray, np.ndarray]] = []
        for ident in range(k):
            fs = np.array(sorted(seq[ident]), dtype=np.int64)
            poses_k = (
                np.stack([seq[ident][f][0] for f in fs]) if len(fs)
                else np.zeros((0, n_nodes, 2))
            )
            tracks.append((fs, poses_k))
        pairs = (
            list(cfg.flip_pairs) if cfg.flip_pairs is not None
            else _confused_pairs([(fidx[fs], p) for fs, p in tracks], body, cfg.flip_min_rate)
        )
        if not pairs:
            return poses
        out = dict(poses)
        for a, b in pairs:
            lead = _leading_node(
                [(fidx[fs], p) for fs, p in tracks], a, b, cfg.flip_speed * body
            )
            for ident, (fs, p) in enumerate(tracks):
                if len(fs) < 2:
                    continue
                swap = _flip_states(
                    p[:, [a, b]], fidx[fs], _velocity(p, fidx[fs]), lead, body, cfg
                )
                perm = np.arange(n_nodes)
                perm[[a, b]] = [b, a]
                for i in np.flatnonzero(swap).tolist():
                    f = int(fs[i])
                    q, own, srcn = seq[ident][f]
                    seq[ident][f] = (q[perm], own[perm], srcn[perm])
                    p[i] = p[i][perm]
                    out[(f, ident)] = seq[ident][f]
        return out

    def _refine(
        self,
        pts: list[np.ndarray],
        assign: dict[tuple[int, int], int],
        k: int,
        body: float,
        part: list[np.ndarray],
    ) -> dict[tuple[int, int], int]:
        """Re-assign every instance to the nearest identity's smoothed pose, within a gate.

        Each identity's reference pose at frame ``f`` is the per-node median of its instances
        within ``refine_window`` frames; instances farther than ``refine_gate * body`` from
        every reference are outliers. Parts of split instances (``part``) only go to the
        identities no whole instance took.
        """
        cfg = self.config
        n_f = len(pts)
        n_nodes = next((p.shape[1] for p in pts if len(p)), 0)
        if k == 0 or n_nodes == 0:
            return assign
        ref = _smoothed(pts, assign, k, cfg.refine_window)
        gate = cfg.refine_gate * body
        out: dict[tuple[int, int], int] = {}
        for f in range(n_f):
            if not len(pts[f]):
                continue
            d = mean_node_distance(pts[f][:, None], ref[f][None])  # (n, k)
            vis_frac = (~np.isnan(pts[f]).any(axis=-1)).mean(axis=-1)
            gates = np.where(vis_frac < 0.5 + 1e-9, gate * cfg.partial_gate, gate)
            free = np.ones(k, dtype=bool)
            groups = (
                (np.flatnonzero(~part[f]), np.flatnonzero(part[f])) if part[f].any()
                else (np.arange(len(pts[f])),)
            )
            for group in groups:
                idents = np.flatnonzero(free)
                if not group.size or not idents.size:
                    continue
                sub = d[np.ix_(group, idents)]
                rows, cols = hungarian(np.where(np.isfinite(sub), sub, 1e12))
                for r, c in zip(group[rows].tolist(), idents[cols].tolist()):
                    if d[r, c] <= gates[r]:
                        out[(f, r)] = c
                        free[c] = False
        return out

    def _scales(
        self, frames: list[LabeledFrame], pts: list[np.ndarray], sizes: list[np.ndarray]
    ) -> tuple[float, float, float]:
        """Motion gate, motion spread and body size (px) estimated from the data."""
        allsz = np.concatenate(sizes) if sizes else np.zeros(0)
        allsz = allsz[np.isfinite(allsz)]
        body = float(np.median(allsz)) * 2 if allsz.size else 10.0
        steps: list[float] = []
        for f in range(1, len(frames)):
            if frames[f].frame_idx - frames[f - 1].frame_idx != 1:
                continue
            if len(pts[f]) and len(pts[f - 1]):
                d = mean_node_distance(pts[f][:, None], pts[f - 1][None])
                best = d.min(axis=1)
                steps.extend(best[np.isfinite(best)].tolist())
        step = float(np.median(steps)) if steps else body * 0.1
        gate = max(self.config.gate_body * body, 1.0)
        sigma = max(self.config.sigma_steps * step, self.config.sigma_body * body, 0.5)
        return gate, sigma, body

    def _tracklets(
        self, frames: list[LabeledFrame], pts: list[np.ndarray], gate: float
    ) -> list[_Tracklet]:
        """Unambiguous chains of instances (see the module docstring, step 1).

        An instance continues a tracklet whose last member is in the previous frame, compared
        with each node's last known position in that tracklet (a node missing in the last frame
        is not unknown).
        """
        cfg = self.config
        fidx = np.array([fr.frame_idx for fr in frames])
        tracklets: list[_Tracklet] = []
        last: dict[int, int] = {}  # open tracklet -> frame position of its last member
        known: dict[int, np.ndarray] = {}  # tracklet -> last known position of each node
        for f in range(len(frames)):
            cur = pts[f]
            last = {t: lf for t, lf in last.items() if fidx[f] - fidx[lf] == 1}
            cand = list(last)
            links: dict[int, int] = {}
            if cand and len(cur):
                prev = np.stack([known[t] for t in cand])
                d = mean_node_distance(prev[:, None], cur[None])
                finite = np.where(np.isfinite(d), d, 1e12)
                r, c = hungarian(finite)
                for i, j in zip(r.tolist(), c.tolist()):
                    dij = d[i, j]
                    if not dij <= gate:
                        continue
                    others = np.concatenate([np.delete(d[i], j), np.delete(d[:, j], i)])
                    margin = cfg.ambiguity_ratio * dij + 0.02 * gate
                    if others.size and not (others > margin).all():
                        continue
                    links[j] = cand[i]
            for j in range(len(cur)):
                if j in links:
                    t = links[j]
                else:
                    t = len(tracklets)
                    tracklets.append(_Tracklet(members=[], points=[]))
                tracklets[t].members.append((f, j))
                tracklets[t].points.append(cur[j])
                seen = ~np.isnan(cur[j]).any(axis=-1)
                known[t] = np.where(seen[:, None], cur[j], known.get(t, cur[j]))
                last[t] = f
        return tracklets

    def _link(
        self,
        frames: list[LabeledFrame],
        tracklets: list[_Tracklet],
        k: int,
        sigma: float,
        body: float,
        weight: list[np.ndarray],
    ) -> list[list[int]]:
        cfg = self.config
        # order tracklets by start (topological order of the DAG)
        order = sorted(range(len(tracklets)), key=lambda t: tracklets[t].members[0][0])
        tl = [tracklets[t] for t in order]
        fidx = np.array([fr.frame_idx for fr in frames])
        n = len(tl)
        start = np.array([fidx[t.members[0][0]] for t in tl])
        end = np.array([fidx[t.members[-1][0]] for t in tl])
        m_end = max(1, cfg.endpoint_frames)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            first = np.stack([_end_pose(np.stack(t.points), m_end) for t in tl])
            last = np.stack([_end_pose(np.stack(t.points)[::-1], m_end) for t in tl])
        v_out = np.zeros_like(last)
        v_in = np.zeros_like(first)
        size = np.full(n, np.nan)
        for i, t in enumerate(tl):
            p = np.stack(t.points)
            w = min(len(p) - 1, 5)
            if w > 0 and cfg.velocity_weight:
                fm = [fidx[m[0]] for m in t.members]
                v_out[i] = cfg.velocity_weight * (p[-1] - p[-1 - w]) / (fm[-1] - fm[-1 - w])
                v_in[i] = cfg.velocity_weight * (p[w] - p[0]) / (fm[w] - fm[0])
            sz = _size(p)
            sz = sz[np.isfinite(sz)]
            if sz.size:
                size[i] = np.median(sz)
        v_out = np.nan_to_num(v_out)
        v_in = np.nan_to_num(v_in)
        sigma_size = 0.1 * body
        node_cost = [-cfg.reward * sum(weight[f][r] for f, r in t.members) for t in tl]
        edges: list[tuple[int, int, float]] = []
        length = np.array([len(t.members) for t in tl])
        substantial = np.nonzero(length >= cfg.min_long_length)[0]
        for a in range(n):
            near = np.nonzero((start > end[a]) & (start - end[a] <= cfg.max_gap))[0]
            far = substantial[start[substantial] - end[a] > cfg.max_gap][: cfg.long_links]
            later = np.concatenate([near, far])
            if later.size == 0:
                continue
            g = (start[later] - end[a]).astype(np.float64)
            fwd = last[a][None] + v_out[a][None] * g[:, None, None]
            bwd = first[later] - v_in[later] * g[:, None, None]
            d1 = mean_node_distance(fwd, first[later])
            d2 = mean_node_distance(bwd, last[a])
            d = np.where(np.isfinite(d1) & np.isfinite(d2), 0.5 * (d1 + d2),
                         np.fmin(d1, d2))
            sg = sigma * np.sqrt(g)
            motion = np.minimum(0.5 * (d / sg) ** 2, cfg.cost_cap)
            motion[~np.isfinite(motion)] = cfg.cost_cap
            ds = np.abs(size[later] - size[a]) / sigma_size
            size_term = cfg.size_weight * 0.5 * np.minimum(np.nan_to_num(ds), 3.0) ** 2
            cost = motion + size_term
            for b, c in zip(later.tolist(), cost.tolist()):
                edges.append((a, b, c))
        paths = disjoint_paths(node_cost, edges, k)
        return [[order[i] for i in p] for p in paths]


def _parts(points: np.ndarray, gap: float) -> list[np.ndarray]:
    """Split one pose into groups of nodes chained by steps of at most ``gap`` px.

    Single linkage over the visible nodes (:func:`pose_domain.matching.linked_groups`); each
    group comes back as a pose with the other nodes missing (NaN), largest group first.
    """
    vis = np.flatnonzero(~np.isnan(points).any(axis=-1))
    label = linked_groups(points[vis], gap)
    groups = sorted((vis[label == g] for g in np.unique(label)), key=len, reverse=True)
    out = []
    for g in groups:
        q = np.full_like(points, np.nan)
        q[g] = points[g]
        out.append(q)
    return out


def _end_pose(points: np.ndarray, m: int) -> np.ndarray:
    """Pose at the start of a tracklet: per node, the median of its first ``m`` sightings.

    Args:
        points: ``(T, N, 2)`` px, NaN = missing, in the order to read (reverse for the end).
        m: Sightings per node.

    Returns:
        ``(N, 2)``; NaN for nodes never seen. A node missing in the first frame still gets
        the position where it is first seen, so a tracklet that starts (or ends) on a partial
        pose is not costed as if those nodes were unknown.
    """
    out = np.full(points.shape[1:], np.nan)
    seen = ~np.isnan(points).any(axis=-1)  # (T, N)
    for n in range(points.shape[1]):
        rows = np.flatnonzero(seen[:, n])[:m]
        if rows.size:
            out[n] = np.median(points[rows, n], axis=0)
    return out


def _smoothed(
    pts: list[np.ndarray], assign: dict[tuple[int, int], int], k: int, window: int
) -> np.ndarray:
    """Per-identity pose smoothed by a per-node running median over ``±window`` frames.

    Args:
        pts: Per frame ``(n, N, 2)`` px, NaN = missing.
        assign: ``(frame, row) -> identity``.
        k: Number of identities.
        window: Half-width, frames.

    Returns:
        ``(n_frames, k, N, 2)`` float64 px; NaN where the identity has no instance nearby.
    """
    n_f = len(pts)
    n_nodes = next((p.shape[1] for p in pts if len(p)), 0)
    traj = np.full((n_f, k, n_nodes, 2), np.nan)
    for (f, r), ident in assign.items():
        traj[f, ident] = pts[f][r]
    w = window
    pad = np.full((w, k, n_nodes, 2), np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate([pad, traj, pad]), 2 * w + 1, axis=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(windows, axis=-1))


def _bridged(ref: np.ndarray, fidx: np.ndarray) -> np.ndarray:
    """Identity reference nodes bridged across the frames between two sightings.

    Between two frames where an identity's node is known, the node is linearly interpolated
    (never extrapolated past the first or last sighting). An animal the detector lost as a
    whole keeps a reference, so its nodes found inside other detections (an instance that
    joined nodes of two animals) can be given back to it (ADR-0086).

    Args:
        ref: ``(n_frames, K, N, 2)`` px, NaN = unknown.
        fidx: ``(n_frames,)`` frame indices, increasing.

    Returns:
        ``(n_frames, K, N, 2)`` px, NaN only before the first and after the last sighting.
    """
    out = ref.copy()
    _, k, n_nodes, _ = ref.shape
    for i in range(k):
        for n in range(n_nodes):
            known = np.flatnonzero(~np.isnan(ref[:, i, n]).any(axis=-1))
            for a, b in zip(known[:-1].tolist(), known[1:].tolist()):
                if b - a < 2:
                    continue
                w = ((fidx[a + 1:b] - fidx[a]) / (fidx[b] - fidx[a]))[:, None]
                out[a + 1:b, i, n] = (1 - w) * ref[a, i, n] + w * ref[b, i, n]
    return out


def _confused_pairs(
    tracks: list[tuple[np.ndarray, np.ndarray]], body: float, min_rate: float
) -> list[tuple[int, int]]:
    """Node pairs whose labels the detector swaps, found in the identities' poses.

    Between consecutive frames of an identity, the pair ``(a, b)`` looks swapped when the
    vector from ``b`` to ``a`` turns by more than 120 degrees while both vectors are at least
    a quarter body size long (no animal turns that fast; a label swap does exactly that).
    Only pairs whose median separation is at least half a body size and 4 times the median
    frame-to-frame node step qualify: swapping closer nodes barely changes the pose, and
    jitter alone reverses them (measured: with 8-25 px noise on a clean 13-node pose, jitter
    reverses close pairs more often than the detector swaps head and thorax on real data).

    Args:
        tracks: Per identity ``(frame indices (T,), poses (T, N, 2) px, NaN = missing)``.
        body: Body size, px.
        min_rate: Smallest fraction of consecutive frame pairs that look swapped.

    Returns:
        Disjoint ``(a, b)`` pairs, most often swapped first.
    """
    n_nodes = next((p.shape[1] for _, p in tracks if len(p)), 0)
    events = np.zeros((n_nodes, n_nodes))
    total = np.zeros((n_nodes, n_nodes))
    seps: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    for t, p in tracks:
        if len(t) < 2:
            continue
        step = np.diff(t) == 1
        u = p[:, :, None] - p[:, None, :]  # (T, N, N, 2) vector from b to a
        u1, u0 = u[1:][step], u[:-1][step]
        n1, n0 = np.linalg.norm(u1, axis=-1), np.linalg.norm(u0, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.sum(u1 * u0, axis=-1) / (n1 * n0)
            ok = np.isfinite(cos) & (n1 >= 0.25 * body) & (n0 >= 0.25 * body)
            ev = ok & (cos < -0.5)
        events += ev.sum(axis=0)
        total += ok.sum(axis=0)
        seps.append(np.linalg.norm(u, axis=-1))
        steps.append(np.linalg.norm(p[1:][step] - p[:-1][step], axis=-1).ravel())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sep = np.nanmedian(np.concatenate(seps), axis=0) if seps else np.zeros(events.shape)
        jitter = float(np.nanmedian(np.concatenate(steps))) if steps else 0.0
    far = sep >= np.maximum(0.5 * body, 4.0 * np.nan_to_num(jitter))
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


def _velocity(p: np.ndarray, t: np.ndarray, half: int = 2) -> np.ndarray:
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


def _leading_node(
    tracks: list[tuple[np.ndarray, np.ndarray]], a: int, b: int, v_full: float
) -> float:
    """+1 when node ``a`` leads the motion (points along the velocity), -1 when ``b`` does.

    Counted over frames moving at least ``v_full`` px/frame with both nodes visible; 0 when
    fewer than 20 such frames or when neither node leads in at least 80 % of them.
    """
    signs: list[np.ndarray] = []
    for t, p in tracks:
        if len(t) < 5:
            continue
        v = _velocity(p, t)
        axis = p[:, a] - p[:, b]
        with np.errstate(invalid="ignore"):
            moving = np.linalg.norm(v, axis=-1) >= v_full
            dot = np.sum(v * axis, axis=-1)
        ok = moving & np.isfinite(dot)
        signs.append(np.sign(dot[ok]))
    s = np.concatenate(signs) if signs else np.zeros(0)
    if s.size < 20:
        return 0.0
    frac = float((s > 0).mean())
    return 1.0 if frac >= 0.8 else -1.0 if frac <= 0.2 else 0.0


def _flip_states(
    q: np.ndarray,
    t: np.ndarray,
    v: np.ndarray,
    lead: float,
    body: float,
    cfg: GlobalConfig,
) -> np.ndarray:
    """Which frames of one identity have the labels of one node pair swapped (Viterbi).

    State 0 keeps the detected labels, state 1 swaps them (cost ``flip_cost`` per frame).
    Moving from one frame to the next costs each node's displacement from its last known
    position along the path (body sizes; nothing across gaps over ``max_gap`` frames). When a
    node leads the motion (``lead``), a pair pointing against the velocity costs up to
    ``flip_motion`` (scaled by the cosine and by speed up to ``flip_speed`` body sizes/frame).

    Args:
        q: ``(T, 2, 2)`` the pair's positions px (NaN = missing), in detected label order.
        t: ``(T,)`` frame indices, increasing.
        v: ``(T, 2)`` velocity px/frame, NaN = unknown.
        lead: +1 / -1 / 0 from :func:`_leading_node`.
        body: Body size, px.
        cfg: Tracker settings.

    Returns:
        ``(T,)`` bool, True where the pair's labels should be swapped.
    """
    n = len(q)
    qs = np.stack([q, q[:, ::-1]])  # (2, T, 2, 2)
    emit = np.zeros((n, 2))
    emit[:, 1] = cfg.flip_cost
    if lead:
        axis = q[:, 0] - q[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            speed = np.linalg.norm(v, axis=-1)
            cos = lead * np.sum(v * axis, axis=-1) / (speed * np.linalg.norm(axis, axis=-1))
            w = cfg.flip_motion * np.minimum(speed / (cfg.flip_speed * body), 1.0)
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
                d[~np.isfinite(d) | (t[i] - seen[sp] > cfg.max_gap)] = 0.0
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
