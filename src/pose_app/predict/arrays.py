"""Raw-array results (SLEAP 1.x ``predict(make_labels=False)``): one dict of NaN-padded numpy
arrays per batch of frames, with the keys of the model type.

The arrays are built from the same instances the labels hold, so they agree point for point
with ``make_labels=True``. Keys (``B`` frames, ``I`` instances, ``N`` nodes):

* every model: ``frame_ind (B,)``, ``video_ind (B,)``, ``n_valid (B,)`` (instances found);
* ``single_instance``: ``instance_peaks (B, 1, N, 2)``, ``instance_peak_vals (B, 1, N)``;
* ``top_down`` / ``bottom_up`` (and multi-class): ``instance_peaks (B, I, N, 2)``,
  ``instance_peak_vals (B, I, N)``, ``instance_scores (B, I)``;
* ``top_down`` and ``centroid``: ``centroids (B, I, 2)``, ``centroid_vals (B, I)``;
* multi-class models: ``class_inds (B, I)`` (index into the class names, -1 = none) and
  ``class_probs (B, I)``.

NaN stands where nothing was found (a missing node, a padded instance slot).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pose_app.ports.stream import FrameSink
from pose_domain.instance import LabeledFrame, PredictedInstance, Track

#: Model types whose instances come from centroids.
CENTROID_TYPES = ("top_down", "top_down_multi_class", "centroid")
MULTI_CLASS_TYPES = ("top_down_multi_class", "bottom_up_multi_class")


def batch_arrays(
    frames: Sequence[Sequence[PredictedInstance]],
    *,
    model_type: str,
    n_nodes: int,
    frame_inds: Sequence[int] | None = None,
    video_inds: Sequence[int] | None = None,
    classes: Sequence[Track] = (),
    n_instances: int | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of one batch.

    Args:
        frames: Per frame of the batch, its predicted instances (in output order).
        model_type: The stage's ``model_type`` (``single_instance``, ``top_down``…).
        n_nodes: Nodes of the output skeleton.
        frame_inds, video_inds: Where each frame comes from (default ``0..B-1`` and 0).
        classes: The multi-class stage's tracks (their order gives ``class_inds``).
        n_instances: Pad axis 1 to this size (default: the most instances of a frame; 1 for
            single-instance models).
    """
    b = len(frames)
    width = max((len(f) for f in frames), default=0)
    if model_type == "single_instance":
        width = 1
    if n_instances is not None:
        width = max(width, int(n_instances))
    peaks = np.full((b, width, n_nodes, 2), np.nan, dtype=np.float64)
    vals = np.full((b, width, n_nodes), np.nan, dtype=np.float64)
    scores = np.full((b, width), np.nan, dtype=np.float64)
    cents = np.full((b, width, 2), np.nan, dtype=np.float64)
    class_inds = np.full((b, width), -1, dtype=np.int64)
    class_probs = np.full((b, width), np.nan, dtype=np.float64)
    by_track = {id(t): k for k, t in enumerate(classes)}
    for i, insts in enumerate(frames):
        for j, inst in enumerate(list(insts)[:width]):
            peaks[i, j] = inst.points
            vals[i, j] = inst.point_scores
            scores[i, j] = inst.score
            if inst.centroid is not None:
                cents[i, j] = inst.centroid
            if inst.track is not None and id(inst.track) in by_track:
                class_inds[i, j] = by_track[id(inst.track)]
                class_probs[i, j] = inst.tracking_score
    out: dict[str, np.ndarray] = {
        "frame_ind": np.asarray(frame_inds if frame_inds is not None else range(b),
                                dtype=np.int64),
        "video_ind": np.asarray(video_inds if video_inds is not None else [0] * b,
                                dtype=np.int64),
        "n_valid": np.asarray([min(len(f), width) for f in frames], dtype=np.int64),
    }
    if model_type == "centroid":
        out["centroids"] = cents
        out["centroid_vals"] = scores
        return out
    out["instance_peaks"] = peaks
    out["instance_peak_vals"] = vals
    if model_type != "single_instance":
        out["instance_scores"] = scores
    if model_type in CENTROID_TYPES:
        out["centroids"] = cents
        out["centroid_vals"] = scores.copy()  # a top-down instance scores its centroid value
    if model_type in MULTI_CLASS_TYPES:
        out["class_inds"] = class_inds
        out["class_probs"] = class_probs
    return out


class ArrayCollector:
    """A frame sink of the use cases: keeps every processed frame's predictions (empty frames
    included, which the labels drop) and cuts them into batches.

    Attributes:
        then: Another sink every frame is passed on to (the caller's), or None.
    """

    def __init__(self, then: FrameSink | None = None) -> None:
        self.frames: list[tuple[int, int, list[PredictedInstance]]] = []
        self.then = then

    def __call__(self, frame: LabeledFrame) -> None:
        preds = [i for i in frame.instances if isinstance(i, PredictedInstance)]
        self.frames.append((frame.video_index, frame.frame_idx, preds))
        if self.then is not None:
            self.then(frame)

    def batches(self, batch_size: int, *, model_type: str, n_nodes: int,
                classes: Sequence[Track] = ()) -> list[dict[str, np.ndarray]]:
        """One dict per ``batch_size`` frames, in processing order."""
        out = []
        for start in range(0, len(self.frames), max(1, int(batch_size))):
            chunk = self.frames[start:start + batch_size]
            out.append(batch_arrays([f[2] for f in chunk], model_type=model_type,
                                    n_nodes=n_nodes, frame_inds=[f[1] for f in chunk],
                                    video_inds=[f[0] for f in chunk], classes=classes))
        return out
