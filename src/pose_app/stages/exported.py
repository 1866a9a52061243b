"""Stages for folders written by ``sleap-nn export`` (ADR-0127, parity notes §7).

Those graphs already hold peak finding (and, for bottom-up, PAF line scoring; for top-down, the
crops and the instance stage): they take the raw uint8 frame at its native size and return
peaks. What is left runs here, as ``sleap-nn predict -m EXPORT_DIR`` does: bottom-up grouping
(Hungarian per edge, ``min_line_scores``, assembly, ``max_instances``) on the graph's line
scores; invalid slots dropped; points divided by the baked input scale where the graph leaves
them scaled. The filters and tracking apply as for any other model.

The model type of such a spec is ``EXPORTED_PREFIX + <sleap-nn model_type>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pose_app.network_outputs import DecodedOutputs
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import ImageResizer
from pose_app.stages.base import FrameJob, Stage, _stack, infer_decoded, instance_from, required
from pose_domain import decoding, identity, paf
from pose_domain.errors import IncompatibleModelsError
from pose_domain.instance import PredictedInstance, Track
from pose_domain.peaks import PeakSet
from pose_domain.skeleton import Skeleton

EXPORTED_PREFIX = "exported_"
SUPPORTED = ("single_instance", "centroid", "bottomup", "multi_class_bottomup", "topdown",
             "centered_instance")


@attrs.define(eq=False)
class ExportedBatch:
    """The combined graph's outputs (peaks, values, validity, line scores) for ``jobs``."""

    jobs: list[FrameJob]
    outputs: DecodedOutputs



class _BakedStage(Stage[ExportedBatch]):
    """Feeds raw frames (no resize, pad or channel change: the reference adds none)."""

    def forward(self, jobs: list[FrameJob]) -> ExportedBatch:
        return ExportedBatch(jobs=jobs, outputs=infer_decoded(self.models[0], _stack(jobs)))

    def _need(self, output: np.ndarray | None, name: str) -> np.ndarray:
        """The graph output ``name``, which this model type's graph has."""
        return required(output, name, self.models[0].spec.path)

    @property
    def _scale(self) -> float:
        return float(self.models[0].spec.preprocessing.scale or 1.0)


class BakedSingleInstanceStage(_BakedStage):
    """``peaks (B, N, 2)`` in image pixels, ``peak_vals (B, N)``; score = Σ peak values."""

    model_type = "single_instance"

    def decode(self, raw: ExportedBatch) -> list[list[PredictedInstance]]:
        pts, vals = self._need(raw.outputs.peaks, "peaks"), self._need(raw.outputs.peak_vals,
                                                                        "peak_vals")
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            p = np.asarray(pts[b], dtype=np.float64)
            if np.isnan(p).all():
                out.append([])
                continue
            v = np.where(np.isnan(p).any(axis=1), np.nan, vals[b])
            out.append(self._finish([instance_from(p, v, float(np.nansum(v)))]))
        return out


class BakedCentroidStage(_BakedStage):
    """``centroids (B, I, 2)``, ``centroid_vals``, ``instance_valid``: 1-node instances."""

    model_type = "centroid"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sk = self.models[0].spec.skeleton
        self._skeleton = Skeleton(nodes=["centroid"]) if sk.n_nodes > 1 else sk

    @property
    def output_skeleton(self) -> Skeleton:
        return self._skeleton

    def decode(self, raw: ExportedBatch) -> list[list[PredictedInstance]]:
        o = raw.outputs
        valid = self._need(o.instance_valid, "instance_valid")
        centroids = self._need(o.centroids, "centroids")
        centroid_vals = self._need(o.centroid_vals, "centroid_vals")
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            insts = []
            for i in np.flatnonzero(np.asarray(valid[b], dtype=bool)).tolist():
                p = np.full((self._skeleton.n_nodes, 2), np.nan)
                s = np.full(self._skeleton.n_nodes, np.nan)
                p[0] = centroids[b, i]
                s[0] = centroid_vals[b, i]
                insts.append(instance_from(p, s, float(s[0])))
            if self.options.max_instances is not None:
                insts = insts[: self.options.max_instances]
            out.append(self._finish(insts))
        return out


class BakedTopDownStage(_BakedStage):
    """``peaks (B, I, N, 2)`` in image pixels per valid centroid slot; score = Σ peak values.

    A lone exported centered-instance graph (``peaks (B, N, 2)`` in crop space) runs on the
    whole frame as one crop, as the reference does.
    """

    model_type = "top_down"

    def decode(self, raw: ExportedBatch) -> list[list[PredictedInstance]]:
        o = raw.outputs
        if o.instance_valid is None:
            return BakedSingleInstanceStage.decode(self, raw)  # type: ignore[arg-type]
        valid = o.instance_valid
        peaks, peak_vals = self._need(o.peaks, "peaks"), self._need(o.peak_vals, "peak_vals")
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            insts = []
            for i in np.flatnonzero(np.asarray(valid[b], dtype=bool)).tolist():
                p = np.asarray(peaks[b, i], dtype=np.float64)
                v = np.where(np.isnan(p).any(axis=1), np.nan, peak_vals[b, i])
                inst = instance_from(p, v, float(np.nansum(v)))
                if o.centroids is not None:
                    inst.centroid = np.asarray(o.centroids[b, i], dtype=np.float64)
                insts.append(inst)
            if self.options.max_instances is not None:
                insts = insts[: self.options.max_instances]
            out.append(self._finish(insts))
        return out


class BakedBottomUpStage(_BakedStage):
    """Grouping on the host from the graph's peaks and line scores (parity notes §7.3)."""

    model_type = "bottom_up"

    keeps_empty_frames = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        o = self.options
        self.paf_params = paf.PafParams(min_instance_peaks=o.min_instance_peaks,
                                        min_line_scores=o.min_line_scores)

    def decode(self, raw: ExportedBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = raw.outputs
        peaks, peak_vals = self._need(o.peaks, "peaks"), self._need(o.peak_vals, "peak_vals")
        mask, line_scores = self._need(o.peak_mask, "peak_mask"), self._need(o.line_scores,
                                                                           "line_scores")
        n_nodes, k = peaks.shape[1], peaks.shape[2]
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            valid = np.flatnonzero(np.asarray(mask[b], dtype=bool).reshape(-1))
            found = PeakSet(
                np.asarray(peaks[b], dtype=np.float64).reshape(-1, 2)[valid],
                np.asarray(peak_vals[b], dtype=np.float64).reshape(-1)[valid],
                np.zeros(len(valid)), valid // k,
            )
            slot = valid % k
            scores_b = np.asarray(line_scores[b], dtype=np.float32)

            def lookup(src: np.ndarray, dst: np.ndarray, edge: np.ndarray,
                       scores_b: np.ndarray = scores_b, slot: np.ndarray = slot) -> np.ndarray:
                # both ends are valid peaks, so every pair is a graph candidate
                return scores_b[edge, slot[src] * k + slot[dst]]

            points, pscores, iscores = paf.group_instances(
                found, np.zeros((1, 1, 2)), spec.skeleton.edges, n_nodes, 1,
                self.paf_params, line_scores=lookup,
            )
            keep = decoding.keep_top_instances(iscores, self.options.max_instances)
            insts = [instance_from(points[i] / self._scale, pscores[i], float(iscores[i]))
                     for i in keep]
            out.append(self._finish(insts))
        return out


class BakedMultiClassBottomUpStage(_BakedStage):
    """Identities from the graph's class probabilities at each peak (parity notes §7.3, §3.8):
    per node, Hungarian on ``-prob`` kept where it agrees with the peak's argmax class; slot =
    class = track; points divided by the baked input scale."""

    model_type = "bottom_up_multi_class"
    keeps_empty_frames = True
    trackable = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracks = [Track(c) for c in self.models[0].spec.classes]

    @property
    def tracks(self) -> list[Track]:
        return self._tracks

    def decode(self, raw: ExportedBatch) -> list[list[PredictedInstance]]:
        o = raw.outputs
        peaks, peak_vals = self._need(o.peaks, "peaks"), self._need(o.peak_vals, "peak_vals")
        mask, class_probs = self._need(o.peak_mask, "peak_mask"), self._need(o.class_probs,
                                                                           "class_probs")
        n_nodes, k = peaks.shape[1], peaks.shape[2]
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            valid = np.flatnonzero(np.asarray(mask[b], dtype=bool).reshape(-1))
            pts = np.asarray(peaks[b], dtype=np.float64).reshape(-1, 2)[valid]
            vals = np.asarray(peak_vals[b], dtype=np.float64).reshape(-1)[valid]
            probs = np.asarray(class_probs[b]).reshape(n_nodes * k, -1)[valid]
            points, pscores, _, tscores = identity.assign_peak_classes(
                pts, vals, valid // k, probs, n_nodes)
            # score = Σ peak values, as sleap-nn predict packages exported graphs; unlike it,
            # the class stays the instance's track (ADR-0127)
            insts = [instance_from(points[c] / self._scale, pscores[c],
                                   float(np.nansum(pscores[c])), self._tracks[c],
                                   float(tscores[c]))
                     for c in range(points.shape[0]) if not np.isnan(points[c]).all()]
            m = self.options.max_instances
            if m is not None and len(insts) > m:
                insts = sorted(insts, key=lambda i: i.score, reverse=True)[:m]
            out.append(self._finish(insts))
        return out


def build_exported_stage(models: Sequence[LoadedModel], options: InferenceOptions,
                         resizer: ImageResizer) -> Stage[Any]:
    """The stage for one ``sleap-nn export`` folder (one combined graph)."""
    kind = models[0].spec.model_type[len(EXPORTED_PREFIX):]
    if len(models) != 1:
        raise IncompatibleModelsError(
            "a sleap-nn export folder runs alone", hint="give only the export folder to -m"
        )
    stages: dict[str, type[_BakedStage]] = {
        "single_instance": BakedSingleInstanceStage,
        "centroid": BakedCentroidStage,
        "bottomup": BakedBottomUpStage,
        "multi_class_bottomup": BakedMultiClassBottomUpStage,
        "topdown": BakedTopDownStage,
        "centered_instance": BakedTopDownStage,
    }
    if kind not in stages:
        raise IncompatibleModelsError(
            f"sleap-nn export folders of type {kind} are not supported yet",
            hint="export the checkpoint with pose export, or run the checkpoint folder",
        )
    return stages[kind](models, options, resizer)

