"""Stages that run one model on whole frames: single instance, bottom-up (PAF), multi-class
bottom-up (class maps) and a lone centroid model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import ImageResizer
from pose_app.stages.base import (
    WholeFrameBatch,
    WholeFrameStage,
    _global_peaks,
    _local_peaks,
    frame_centroids,
    instance_from,
    required,
)
from pose_domain import decoding, identity, paf
from pose_domain.instance import PredictedInstance, Track
from pose_domain.skeleton import Skeleton


class SingleInstanceStage(WholeFrameStage):
    """One instance per frame from global peaks; score = Σ peak values (parity notes §3.5)."""

    model_type = "single_instance"

    def decode(self, raw: WholeFrameBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        pts, vals = _global_peaks(raw.outputs, self.options)
        factor = spec.confmap_stride / raw.scale / raw.eff
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            p = pts[b] * factor
            if np.isnan(p).all():
                out.append([])
                continue
            inst = instance_from(p, vals[b], float(np.nansum(vals[b])))
            out.append(self._finish([inst]))
        return out


class BottomUpStage(WholeFrameStage):
    """Local peaks + PAF grouping (parity notes §3.7)."""

    model_type = "bottom_up"
    keeps_empty_frames = True

    def __init__(self, models: Sequence[LoadedModel], options: InferenceOptions,
                 resizer: ImageResizer) -> None:
        super().__init__(models, options, resizer)
        o = self.options
        self.paf_params = paf.PafParams(
            max_edge_length_ratio=o.max_edge_length_ratio,
            dist_penalty_weight=o.dist_penalty_weight,
            n_points=o.n_points,
            min_instance_peaks=o.min_instance_peaks,
            min_line_scores=o.min_line_scores,
        )

    def decode(self, raw: WholeFrameBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = self.options
        pafs_nchw = required(raw.outputs.pafs, "part affinity fields", spec.path)
        found = _local_peaks(raw.outputs, o).scaled(float(spec.confmap_stride))
        back = 1.0 / raw.scale / raw.eff
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            pafs_hwc = np.ascontiguousarray(pafs_nchw[b].transpose(1, 2, 0))
            points, pscores, iscores = paf.group_instances(
                found.for_sample(b), pafs_hwc, spec.skeleton.edges, spec.skeleton.n_nodes,
                int(spec.paf_stride or spec.confmap_stride), self.paf_params,
            )
            keep = decoding.keep_top_instances(iscores, o.max_instances)
            insts = [
                instance_from(points[i] * back, pscores[i], float(iscores[i])) for i in keep
            ]
            out.append(self._finish(insts))
        return out


class MultiClassBottomUpStage(WholeFrameStage):
    """Local peaks assigned to identities by class maps (parity notes §3.8)."""

    model_type = "bottom_up_multi_class"
    keeps_empty_frames = True
    trackable = False

    def __init__(self, models: Sequence[LoadedModel], options: InferenceOptions,
                 resizer: ImageResizer) -> None:
        super().__init__(models, options, resizer)
        self._tracks = [Track(c) for c in self.models[0].spec.classes]

    @property
    def tracks(self) -> list[Track]:
        return self._tracks

    def decode(self, raw: WholeFrameBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = self.options
        found = _local_peaks(raw.outputs, o).scaled(float(spec.confmap_stride))
        back = 1.0 / raw.scale / raw.eff
        class_maps = required(raw.outputs.class_maps, "class maps", spec.path)
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            points, pscores, iscores, tscores = identity.assign_class_map_identities(
                found.for_sample(b), class_maps[b], spec.skeleton.n_nodes,
                int(spec.class_map_stride or spec.confmap_stride),
            )
            insts = []
            for k in range(points.shape[0]):
                if np.isnan(points[k]).all():
                    continue
                insts.append(instance_from(points[k] * back, pscores[k], float(iscores[k]),
                                           self._tracks[k], float(tscores[k])))
            if o.max_instances is not None and len(insts) > o.max_instances:
                insts = sorted(insts, key=lambda i: i.score, reverse=True)[: o.max_instances]
            out.append(self._finish(insts))
        return out


class CentroidOnlyStage(WholeFrameStage):
    """A lone centroid model: a single-node ``centroid`` instance per peak (parity notes §3.10)."""

    model_type = "centroid"
    keeps_input_instances = False  # the reference writes only the 1-node predictions

    def __init__(self, models: Sequence[LoadedModel], options: InferenceOptions,
                 resizer: ImageResizer) -> None:
        super().__init__(models, options, resizer)
        sk = self.models[0].spec.skeleton
        self._skeleton = Skeleton(nodes=["centroid"]) if sk.n_nodes > 1 else sk

    @property
    def output_skeleton(self) -> Skeleton:
        return self._skeleton

    def decode(self, raw: WholeFrameBatch) -> list[list[PredictedInstance]]:
        n_nodes = self._skeleton.n_nodes
        out: list[list[PredictedInstance]] = []
        for centers, values in frame_centroids(raw, self.models[0].spec, self.options):
            insts = []
            for center, value in zip(centers, values):
                p = np.full((n_nodes, 2), np.nan)
                s = np.full(n_nodes, np.nan)
                p[0] = center
                s[0] = value
                inst = instance_from(p, s, float(value))
                inst.centroid = p[0].copy()
                insts.append(inst)
            out.append(self._finish(insts))
        return out
