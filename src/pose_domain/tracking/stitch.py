"""Stitching identities across the chunks of a video tracked in parallel (ADR-0062).

A long video is split into chunks ``[start, end)``. Every chunk but the first is tracked from
``start - overlap`` with a fresh tracker, so its first ``overlap`` frames repeat the end of the
previous chunk (the *warm-up*). On those shared frames the same detections carry two names: the
previous chunk's (already global) and the chunk's own (local). The rule:

1. On each shared frame, pair the two versions of the instances by Hungarian on the mean
   distance of their jointly visible nodes; pairs farther apart than ``max_distance`` px (or with
   no node visible in both) are not pairs.
2. Each pair is a vote ``(global name, local name)``. A Hungarian assignment on the vote counts
   (maximising agreement, one global name per local name) maps the local names; pairs with no
   vote are not mapped.
3. Local names left unmapped are new identities: they get fresh names ``track_<n>`` with ``n``
   above every name used so far, in the order the chunk created them.
4. The warm-up frames of the chunk are dropped (the previous chunk's frames, which saw more
   history, are kept); the chunk's remaining frames are renamed and appended.

With the warm-up at least as long as the tracker's window, the chunk's tracker holds the same
candidates as an unsplit run by the end of the warm-up, so the rest of the chunk reproduces the
unsplit assignments up to the renaming that step 2 recovers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs
import numpy as np

from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.matching import hungarian

_NUMBERED = re.compile(r"^track_(\d+)$")


@attrs.frozen(kw_only=True)
class TrackedChunk:
    """One chunk's tracked frames with chunk-local track names.

    Attributes:
        start: First frame index the chunk owns (frames before it are warm-up).
        frames: The chunk's frames in frame order, warm-up included (one video).
    """

    start: int
    frames: Sequence[LabeledFrame]


def _instance_distance(a: Instance, b: Instance) -> float:
    """Mean distance in px over nodes visible in both; ``inf`` when none are."""
    d = np.linalg.norm(np.asarray(a.points) - np.asarray(b.points), axis=1)
    d = d[np.isfinite(d)]
    return float(d.mean()) if d.size else float("inf")


def overlap_votes(
    previous: Sequence[LabeledFrame],
    current: Sequence[LabeledFrame],
    *,
    max_distance: float = 5.0,
) -> dict[tuple[str, str], int]:
    """Count how often a previous-chunk track and a current-chunk track hold the same detection.

    Args:
        previous: Frames with global names (only frames also in ``current`` matter).
        current: Frames with local names.
        max_distance: Largest mean node distance (px) for two instances to be the same.

    Returns:
        ``{(previous name, current name): number of shared frames where they coincide}``.
    """
    by_idx = {f.frame_idx: f for f in previous}
    votes: dict[tuple[str, str], int] = {}
    for cur in current:
        prev = by_idx.get(cur.frame_idx)
        if prev is None:
            continue
        p_inst = [i for i in prev.instances if i.track is not None]
        c_inst = [i for i in cur.instances if i.track is not None]
        if not p_inst or not c_inst:
            continue
        cost = np.array([[_instance_distance(p, c) for c in c_inst] for p in p_inst])
        cost = np.where(np.isfinite(cost), cost, 1e9)
        rows, cols = hungarian(cost)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if cost[r, c] > max_distance:
                continue
            p_track, c_track = p_inst[r].track, c_inst[c].track
            assert p_track is not None and c_track is not None
            key = (p_track.name, c_track.name)
            votes[key] = votes.get(key, 0) + 1
    return votes


def map_names(votes: dict[tuple[str, str], int]) -> dict[str, str]:
    """One-to-one ``{current name: previous name}`` maximising the total vote count."""
    prev_names = sorted({p for p, _ in votes})
    cur_names = sorted({c for _, c in votes})
    if not prev_names or not cur_names:
        return {}
    cost = np.zeros((len(prev_names), len(cur_names)))
    for (p, c), n in votes.items():
        cost[prev_names.index(p), cur_names.index(c)] = -float(n)
    rows, cols = hungarian(cost)
    return {
        cur_names[c]: prev_names[r]
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        if cost[r, c] < 0
    }


def _rename(inst: Instance, track: Track | None) -> Instance:
    if isinstance(inst, PredictedInstance):
        return inst.with_track(track, inst.tracking_score)
    return attrs.evolve(inst, track=track)


def _number(name: str) -> int:
    m = _NUMBERED.match(name)
    return int(m.group(1)) if m else -1


def stitch_chunks(
    chunks: Sequence[TrackedChunk], *, max_distance: float = 5.0
) -> tuple[list[LabeledFrame], list[Track]]:
    """Join chunks of one video into one track-consistent sequence (the module's rule).

    Args:
        chunks: In video order; chunk ``k`` owns frames ``[chunks[k].start, chunks[k+1].start)``.
        max_distance: See :func:`overlap_votes`.

    Returns:
        ``(frames, tracks)``: the owned frames of every chunk in frame order with global
        ``Track`` objects (one per name), and those tracks in order of first use.
    """
    tracks: dict[str, Track] = {}
    next_number = 0
    out: list[LabeledFrame] = []

    def global_track(name: str) -> Track:
        nonlocal next_number
        if name not in tracks:
            tracks[name] = Track(name)
            next_number = max(next_number, _number(name) + 1)
        return tracks[name]

    for k, chunk in enumerate(chunks):
        end = chunks[k + 1].start if k + 1 < len(chunks) else None
        owned = [f for f in chunk.frames
                 if f.frame_idx >= chunk.start and (end is None or f.frame_idx < end)]
        if k == 0:
            mapping: dict[str, str] = {}
            fresh_ok = True
        else:
            warm = [f for f in chunk.frames if f.frame_idx < chunk.start]
            mapping = map_names(overlap_votes(out, warm, max_distance=max_distance))
            fresh_ok = False
        local_new: dict[str, str] = {}
        for fr in owned:
            insts: list[Instance] = []
            for inst in fr.instances:
                if inst.track is None:
                    insts.append(inst)
                    continue
                local = inst.track.name
                if local in mapping:
                    name = mapping[local]
                elif fresh_ok:
                    name = local
                else:
                    if local not in local_new:
                        local_new[local] = f"track_{next_number}"
                        next_number += 1
                    name = local_new[local]
                insts.append(_rename(inst, global_track(name)))
            out.append(LabeledFrame(video_index=fr.video_index, frame_idx=fr.frame_idx,
                                    instances=insts))
    used = {i.track.name for f in out for i in f.instances if i.track is not None}
    return out, [t for n, t in tracks.items() if n in used]
