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


def nms_fast(boxes: np.ndarray, scores: np.ndarray, threshold: float, target: int) -> list[int]:
    """The reference's fast NMS: keep high scores, drop boxes overlapping a kept one.

    Overlap is ``intersection / area(other box)`` with the +1 pixel convention (not IoU). When
    fewer than ``target`` boxes survive, suppressed boxes (best first) are added back with the
    reference's slice ``[:min(n, picked - target)]`` (negative end included, ADR-0031).

    Args:
        boxes: ``(n, 4)`` ``[x1, y1, x2, y2]``. scores: ``(n,)``.
        threshold: Overlap above which a box is suppressed. target: Wanted survivors.

    Returns:
        Indices of the kept boxes.
    """
    if len(boxes) == 0:
        return []
    x1, y1, x2, y2 = boxes.T
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    idxs = list(np.argsort(scores))
    picked: list[int] = []
    suppressed: list[int] = []
    while idxs:
        last = idxs.pop()
        picked.append(int(last))
        if not idxs:
            break
        rest = np.asarray(idxs)
        w = np.maximum(0, np.minimum(x2[last], x2[rest]) - np.maximum(x1[last], x1[rest]) + 1)
        h = np.maximum(0, np.minimum(y2[last], y2[rest]) - np.maximum(y1[last], y1[rest]) + 1)
        overlap = (w * h) / area[rest]
        drop = set(rest[overlap > threshold].tolist())
        suppressed.extend(int(i) for i in rest if int(i) in drop)
        idxs = [i for i in idxs if int(i) not in drop]
    if len(picked) < target and suppressed:
        back = sorted(suppressed, key=lambda i: -scores[i])
        picked.extend(back[: min(len(back), len(picked) - target)])
    return picked


def cull_instances(
    frames: list[LabeledFrame], instance_count: int, iou_threshold: float = 0.0
) -> list[LabeledFrame]:
    """Keep at most ``instance_count`` predicted instances per frame.

    With a non-zero ``iou_threshold``, :func:`nms_fast` first removes overlapping instances;
    then the lowest-scoring extras are removed. Frames come out sorted by frame index.
    """
    out: list[LabeledFrame] = []
    for frame in sorted(frames, key=lambda f: f.frame_idx):
        preds = frame.predicted_instances
        if len(preds) <= instance_count:
            out.append(frame)
            continue
        keep = list(preds)
        if iou_threshold:
            boxes = bboxes(np.stack([p.points for p in keep]))
            scores = np.array([p.score for p in keep])
            picked = set(nms_fast(boxes, scores, iou_threshold, instance_count))
            keep = [p for k, p in enumerate(keep) if k in picked]
        if len(keep) > instance_count:
            keep = sorted(keep, key=lambda p: p.score, reverse=True)[:instance_count]
        kept = {id(p) for p in keep}
        insts = [i for i in frame.instances if not i.is_predicted or id(i) in kept]
        out.append(attrs.evolve(frame, instances=insts))
    return out
