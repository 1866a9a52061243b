"""Post-processing of tracked frames (the reference's ``connect_single_breaks`` and culling).

Both return new frames; instances are copied when their track changes, never mutated.
"""

from __future__ import annotations

import attrs
import numpy as np

from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.tracking.features import bboxes


def _retrack(inst: Instance, track: Track | None) -> Instance:
    if isinstance(inst, PredictedInstance):
        return inst.with_track(track, inst.tracking_score)
    return attrs.evolve(inst, track=track)


def _frame_tracks(frame: LabeledFrame) -> set[Track]:
    return {i.track for i in frame.instances if i.track is not None}


def connect_single_breaks(frames: list[LabeledFrame]) -> list[LabeledFrame]:
    """Join a track that ends with one that starts when exactly one identity changed.

    ``last_good`` starts as the tracks of the first frame. Per frame (in order): tracks are
    first renamed through the accumulated map when the target is not already in the frame;
    then, if exactly one track is new relative to ``last_good`` and exactly one is missing, the
    new one is renamed to the missing one (and the rename is remembered); otherwise, if the
    frame has at least as many tracks as ``last_good``, it becomes ``last_good``.

    Args:
        frames: Tracked frames in frame order.

    Returns:
        Frames with renamed tracks (same order).
    """
    if not frames:
        return frames
    last_good = _frame_tracks(frames[0])
    fix_map: dict[Track, Track] = {}
    out: list[LabeledFrame] = []
    for frame in frames:
        insts = list(frame.instances)
        present = _frame_tracks(frame)
        for k, inst in enumerate(insts):
            if inst.track in fix_map and fix_map[inst.track] not in present:
                insts[k] = _retrack(inst, fix_map[inst.track])
        tracks = {i.track for i in insts if i.track is not None}
        new = tracks - last_good
        missing = last_good - tracks
        if len(new) == 1 and len(missing) == 1:
            old, repl = next(iter(new)), next(iter(missing))
            insts = [_retrack(i, repl) if i.track is old else i for i in insts]
            fix_map[old] = repl
        elif len(tracks) >= len(last_good):
            last_good = tracks
        out.append(attrs.evolve(frame, instances=insts))
    return out


def nms_fast(
    boxes: np.ndarray, scores: np.ndarray, threshold: float, target: int | None = None
) -> list[int]:
    """The reference's fast NMS: keep high scores, drop boxes overlapping a kept one.

    Overlap is ``intersection / area(other box)`` with the +1 pixel convention (not IoU).
    When fewer than ``target`` boxes survive, suppressed boxes (best first) are added back
    until ``target`` is reached (sleap-nn 0.3.5's behaviour, ADR-0126).

    Args:
        boxes: ``(n, 4)`` ``[x1, y1, x2, y2]``. scores: ``(n,)``.
        threshold: Overlap above which a box is suppressed. target: Wanted survivors.

    Returns:
        Indices of the kept boxes (pick order, then added-back ones).
    """
    n = len(boxes)
    if n == 0:
        return []
    if target and n < target:
        return list(range(n))
    x1, y1, x2, y2 = np.asarray(boxes, dtype=np.float64).T
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    idxs = np.argsort(scores)
    picked: list[int] = []
    suppressed: list[int] = []
    while len(idxs) > 0:
        last = int(idxs[-1])
        picked.append(last)
        rest = idxs[:-1]
        w = np.maximum(0, np.minimum(x2[last], x2[rest]) - np.maximum(x1[last], x1[rest]) + 1)
        h = np.maximum(0, np.minimum(y2[last], y2[rest]) - np.maximum(y1[last], y1[rest]) + 1)
        over = np.where((w * h) / area[rest] > threshold)[0]
        suppressed.extend(int(i) for i in rest[over])
        idxs = np.delete(idxs, over)[:-1]
    if target and suppressed and len(picked) < target:
        suppressed.sort(key=lambda i: -scores[i])
        picked.extend(suppressed[: min(len(suppressed), target - len(picked))])
    return picked


def instances_over_count(
    instances: list[PredictedInstance], count: int, iou_threshold: float = 0.0
) -> list[PredictedInstance]:
    """The predicted instances to remove to get down to ``count`` (sleap-nn 0.3.5 rules).

    With a non-zero ``iou_threshold``, :func:`nms_fast` (target ``count``) removes overlapping
    instances first; then the lowest-scoring survivors above ``count`` go.

    Args:
        instances: One frame's predicted instances. count: Wanted maximum.
        iou_threshold: Overlap threshold of the NMS (0 = scores only).

    Returns:
        The instances to drop (empty when there are at most ``count``).
    """
    if len(instances) <= count:
        return []
    keep = list(instances)
    extra: list[PredictedInstance] = []
    if iou_threshold:
        boxes = bboxes(np.stack([p.points for p in keep]))
        scores = np.array([p.score for p in keep])
        picked = set(nms_fast(boxes, scores, iou_threshold, count))
        extra = [p for k, p in enumerate(keep) if k not in picked]
        keep = [p for k, p in enumerate(keep) if k in picked]
    if len(keep) > count:
        by_score = sorted(keep, key=lambda p: p.score)
        extra = extra + by_score[: len(keep) - count]
    return extra


def cull_frame_instances(
    instances: list[Instance], count: int, iou_threshold: float = 0.0
) -> list[Instance]:
    """Pre-cull one frame before tracking (``--tracking_pre_cull_to_target``).

    Only predicted instances are culled and counted; user instances are kept. The survivors
    keep their input order.

    Args:
        instances: One frame's instances. count: Target instance count.
        iou_threshold: ``--tracking_pre_cull_iou_threshold`` (0 = by score only).

    Returns:
        The kept instances, in input order.
    """
    preds = [i for i in instances if isinstance(i, PredictedInstance)]
    drop = {id(i) for i in instances_over_count(preds, count, iou_threshold)}
    return [i for i in instances if id(i) not in drop]


def cull_instances(
    frames: list[LabeledFrame], instance_count: int, iou_threshold: float = 0.0
) -> list[LabeledFrame]:
    """Keep at most ``instance_count`` predicted instances per frame (post-tracking clean).

    Same rule as :func:`cull_frame_instances`, per frame; frames come out sorted by frame
    index.
    """
    out: list[LabeledFrame] = []
    for frame in sorted(frames, key=lambda f: f.frame_idx):
        kept = cull_frame_instances(list(frame.instances), instance_count, iou_threshold)
        if len(kept) == len(frame.instances):
            out.append(frame)
        else:
            out.append(attrs.evolve(frame, instances=kept))
    return out
