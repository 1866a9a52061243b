"""Top-down: centroids → crops → centered-instance model (parity notes §3.6, §3.9)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import ImageResizer
from pose_app.preprocess import pad_to_stride, scale_images
from pose_app.stages.base import (
    FrameJob,
    Stage,
    _global_peaks,
    _local_peaks,
    centroid_options,
    infer,
    instance_from,
    model_scale,
)
from pose_domain import crops, decoding, identity
from pose_domain.errors import IncompatibleModelsError
from pose_domain.instance import PredictedInstance, Track


@attrs.define(eq=False)
class TopDownBatch:
    """Centered-instance outputs for every crop of a batch, and where the crops came from.

    Attributes:
        jobs: The frames, in order.
        eff: Sizematcher scale (sized frame / original frame).
        outputs: Instance-model outputs over all crops of the batch, concatenated in frame
            order (``confmaps (n_crops, n_nodes, h, w)``, ``class_vectors (n_crops, n_classes)``);
            None when the batch has no crop.
        crop_origins: Per frame, ``(n_b, 2)`` top-left corners of its crops (sized frame px).
        centroid_scores: Per frame, ``(n_b,)`` centroid peak values (1 for GT centroids).
        centroids: Per frame, ``(n_b, 2)`` the crops' centroids (sized frame px).
        counts: Per frame, its number of crops ``n_b``.
        instance_scale: Input scale of the centered-instance model.
    """

    jobs: list[FrameJob]
    eff: float
    outputs: NetworkOutputs | None
    crop_origins: list[np.ndarray]
    centroid_scores: list[np.ndarray]
    centroids: list[np.ndarray]
    counts: list[int]
    instance_scale: float


class TopDownStage(Stage[TopDownBatch]):
    """Centroids → crops → centered-instance model.

    ``models`` is ``[centroid, instance]``; with a lone instance model the centroids come from
    the frame's instances (GT-centroid mode).
    """

    def __init__(self, models: Sequence[LoadedModel], options: InferenceOptions,
                 resizer: ImageResizer, *, gt_centroids: bool = False) -> None:
        super().__init__(models, options, resizer)
        self.needs_gt_centroids = gt_centroids
        self.centroid = None if gt_centroids else self.models[0]
        self.instance = self.models[-1]
        ispec = self.instance.spec
        crop = options.preprocess.crop_size or ispec.preprocessing.crop_size
        if crop is None:
            raise IncompatibleModelsError(
                f"the centered-instance model {ispec.path} has no crop_size",
                hint="pass --crop_size",
            )
        self.crop_size = int(crop)
        self.multiclass = ispec.model_type == "multi_class_topdown"
        self.model_type = "top_down_multi_class" if self.multiclass else "top_down"
        self.trackable = not self.multiclass
        self._tracks = [Track(c) for c in ispec.classes] if self.multiclass else []
        anchor = options.anchor_part or ispec.anchor_part
        if anchor is None and self.centroid is not None:
            anchor = self.centroid.spec.anchor_part
        self.anchor_ind = ispec.skeleton.index(anchor) if anchor else None

    @property
    def tracks(self) -> list[Track]:
        return self._tracks

    def _centroids(self, jobs: list[FrameJob], prepared: np.ndarray,
                   eff: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per frame ``(n_b, 2)`` centers (sized frame px) and ``(n_b,)`` their scores."""
        o = self.options
        centers: list[np.ndarray] = []
        values: list[np.ndarray] = []
        if self.centroid is None:
            for j in jobs:
                if j.gt_instances:
                    pts = np.stack([i.points for i in j.gt_instances])
                    c = decoding.gt_centroids(pts, self.anchor_ind) * eff
                else:
                    c = np.zeros((0, 2))
                centers.append(c)
                values.append(np.ones(len(c)))
            return centers, values
        cspec = self.centroid.spec
        cscale = model_scale(cspec, o)
        x = pad_to_stride(scale_images(prepared, cscale, self.resizer), cspec.max_stride)
        found = _local_peaks(infer(self.centroid, x), centroid_options(o))
        factor = cspec.confmap_stride / cscale
        for b in range(len(jobs)):
            ps = found.for_sample(b)
            idx = decoding.top_k_centroids(ps.points, ps.values, o.max_instances)
            centers.append(ps.points[idx] * factor)
            values.append(ps.values[idx])
        return centers, values

    def forward(self, jobs: list[FrameJob]) -> TopDownBatch:
        prepared, eff = self._prepare(jobs)
        centers, values = self._centroids(jobs, prepared, eff)
        tls = [crops.centered_bbox_tl(c, self.crop_size) for c in centers]
        patches = [crops.crop_patches(prepared[b], tls[b], self.crop_size)
                   for b in range(len(jobs))]
        counts = [len(c) for c in centers]
        outputs: NetworkOutputs | None = None
        iscale = model_scale(self.instance.spec, self.options)
        if sum(counts):
            all_crops = np.concatenate([p for p in patches if len(p)])
            x = pad_to_stride(scale_images(all_crops, iscale, self.resizer),
                              self.instance.spec.max_stride)
            outputs = infer(self.instance, x)
        return TopDownBatch(jobs=jobs, eff=eff, outputs=outputs, crop_origins=tls,
                            centroid_scores=values, centroids=centers, counts=counts,
                            instance_scale=iscale)

    def decode(self, raw: TopDownBatch) -> list[list[PredictedInstance]]:
        ispec = self.instance.spec
        out: list[list[PredictedInstance]] = []
        if raw.outputs is None:  # no crop in the batch
            return [[] for _ in raw.jobs]
        pts, vals = _global_peaks(raw.outputs, self.options)
        pts = pts * (ispec.confmap_stride / raw.instance_scale)
        class_probs = raw.outputs.class_vectors
        start = 0
        for b, n in enumerate(raw.counts):
            sl = slice(start, start + n)
            start += n
            tl = raw.crop_origins[b]
            cvals = raw.centroid_scores[b]
            fpts = (pts[sl] + tl[:, None, :]) / raw.eff
            fvals = vals[sl]
            cls_idx = np.full(n, -1)
            cls_p = np.full(n, np.nan)
            if self.multiclass and class_probs is not None and n:
                cls_idx, cls_p = identity.assign_class_vector_identities(class_probs[sl])
            insts = []
            cents = []
            for k in range(n):
                if np.isnan(fpts[k]).all():
                    continue
                cents.append(raw.centroids[b][k] / raw.eff)
                track = None
                tscore = 0.0
                if self.multiclass:
                    # Reference quirk (ADR-0009): a crop beyond the class count gets the last
                    # class's track and a NaN probability.
                    track = self._tracks[int(cls_idx[k])]
                    tscore = float(cls_p[k])
                inst = instance_from(fpts[k], fvals[k], float(cvals[k]), track, tscore)
                inst.centroid = cents[-1]
                insts.append(inst)
            out.append(self._finish(insts, cents))
        return out
