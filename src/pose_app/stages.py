"""Inference stages per pipeline kind: batch of frames → network outputs → instances.

Each stage has two halves so the streaming pipeline can overlap them:

* ``forward(frames)`` — preprocessing and the network(s) (runs on the inference thread; the
  runtimes release the GIL);
* ``decode(raw)`` — peak finding, grouping, identity assignment and packaging into domain
  instances (runs on the post-processing thread).

Coordinates follow the reference's ladder (facts §3.4): grid peak ``p`` → ``p·stride`` (model
input) → ``/input_scale`` (sized frame) → ``/eff_scale`` (original frame).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from pose_app.model import CLASS_MAPS, CLASS_VECTORS, CONFMAPS, PAFS, ModelSpec
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import ImageResizer
from pose_app.preprocess import (
    Sizing,
    coerce_channels,
    pad_to_stride,
    scale_images,
    sizematch,
    to_nchw,
)
from pose_domain import crops, decoding, identity, paf, peaks
from pose_domain.errors import IncompatibleModelsError, InferenceError
from pose_domain.filters import FilterParams, filter_instances
from pose_domain.instance import Instance, PredictedInstance, Track
from pose_domain.skeleton import Skeleton


@attrs.define(eq=False)
class FrameJob:
    """One frame to process.

    Attributes:
        video_index, frame_idx: Where the frame comes from.
        image: ``(H, W, C)`` uint8, or None when it could not be decoded.
        gt_instances: Instances whose centroids drive GT-centroid mode.
        keep_instances: Instances already in the input frame that the output keeps.
    """

    video_index: int
    frame_idx: int
    image: np.ndarray | None
    gt_instances: list[Instance] = attrs.field(factory=list)
    keep_instances: list[Instance] = attrs.field(factory=list)
    resumed: bool = False


@attrs.define(eq=False)
class RawBatch:
    """Network outputs for a batch plus what decoding needs."""

    jobs: list[FrameJob]
    eff: float
    outputs: dict[str, np.ndarray]
    extra: dict[str, Any] = attrs.field(factory=dict)


def filter_params(options: InferenceOptions) -> FilterParams:
    return FilterParams(
        overlapping=options.filters.filter_overlapping,
        overlapping_method=options.filters.filter_overlapping_method,
        overlapping_threshold=options.filters.filter_overlapping_threshold,
        min_visible_nodes=options.filters.filter_min_visible_nodes,
        min_visible_node_fraction=options.filters.filter_min_visible_node_fraction,
        min_mean_node_score=options.filters.filter_min_mean_node_score,
        min_instance_score=options.filters.filter_min_instance_score,
        min_centroid_distance=options.filters.filter_min_centroid_distance,
    )


def _sizing(specs: Sequence[ModelSpec], options: InferenceOptions) -> Sizing:
    """Resolve sizematcher + channel options: CLI first, then the first spec that sets them."""
    o = options.preprocess

    def first(name: str) -> Any:
        for s in specs:
            v = getattr(s.preprocessing, name)
            if v is not None:
                return v
        return None

    return Sizing(
        max_height=o.max_height if o.max_height is not None else first("max_height"),
        max_width=o.max_width if o.max_width is not None else first("max_width"),
        ensure_rgb=bool(o.ensure_rgb if o.ensure_rgb is not None else first("ensure_rgb")),
        ensure_grayscale=bool(
            o.ensure_grayscale if o.ensure_grayscale is not None else first("ensure_grayscale")
        ),
    )


def _scale(spec: ModelSpec, options: InferenceOptions) -> float:
    s = options.preprocess.input_scale
    return float(s if s is not None else (spec.preprocessing.scale or 1.0))


def _stack(jobs: Sequence[FrameJob]) -> np.ndarray:
    return np.stack([j.image for j in jobs if j.image is not None])


def _infer(model: LoadedModel, images_nhwc: np.ndarray) -> dict[str, np.ndarray]:
    try:
        return model.runtime.infer(to_nchw(images_nhwc))
    except Exception as exc:  # runtime failures become one-line errors
        if isinstance(exc, InferenceError):
            raise
        raise InferenceError(
            f"the {model.runtime.name} runtime failed on {model.spec.path}: {exc}"
        ) from exc


#: Learned offset maps of SLEAP 1.4 models (Keras runtime only): ``(B, 2 * n_nodes, h, w)``,
#: channel ``2k`` / ``2k + 1`` = x / y offset of node ``k`` in grid units.
OFFSETS = "offsets"


def _offsets(outputs: dict[str, np.ndarray], o: InferenceOptions) -> np.ndarray | None:
    return outputs.get(OFFSETS) if o.legacy_offset_refinement else None


def _global_peaks(outputs: dict[str, np.ndarray],
                  o: InferenceOptions) -> tuple[np.ndarray, np.ndarray]:
    """Global peaks ``(B, C, 2)``; with learned offsets: grid peak + offset (SLEAP 1.4)."""
    offs = _offsets(outputs, o)
    pts, vals = peaks.find_global_peaks(outputs[CONFMAPS], o.peak_threshold,
                                        o.refine and offs is None, o.integral_patch_size)
    if offs is not None:
        pts = peaks.offset_refine_global(pts, offs)
    return pts, vals


def _local_peaks(outputs: dict[str, np.ndarray], o: InferenceOptions) -> peaks.PeakSet:
    """Local peaks; with learned offsets: grid peak + offset (SLEAP 1.4)."""
    offs = _offsets(outputs, o)
    found = peaks.find_local_peaks(outputs[CONFMAPS], o.peak_threshold,
                                   o.refine and offs is None, o.integral_patch_size)
    return found if offs is None else peaks.offset_refine_local(found, offs)


def _instance_from(points: np.ndarray, scores: np.ndarray, score: float,
                   track: Track | None = None, tracking_score: float = 0.0) -> PredictedInstance:
    return PredictedInstance(points=points, point_scores=scores, score=score, track=track,
                             tracking_score=tracking_score)


class Stage:
    """Base of the stages: the sizing every whole-frame stage shares."""

    #: Whether frames with no instance stay in the output (reference ``track`` behaviour).
    keeps_empty_frames: bool = False
    #: Whether instances of this stage may be tracked.
    trackable: bool = True

    def __init__(self, models: Sequence[LoadedModel], options: InferenceOptions,
                 resizer: ImageResizer) -> None:
        self.models = list(models)
        self.options = options
        self.resizer = resizer
        self.sizing = _sizing([m.spec for m in self.models], options)
        self.filters = filter_params(options)

    @property
    def output_skeleton(self) -> Skeleton:
        return self.models[-1].spec.skeleton

    @property
    def tracks(self) -> list[Track]:
        """Tracks the stage itself assigns (multi-class models)."""
        return []

    def forward(self, jobs: list[FrameJob]) -> RawBatch:
        raise NotImplementedError

    def decode(self, raw: RawBatch) -> list[list[PredictedInstance]]:
        raise NotImplementedError

    def _prepare(self, jobs: list[FrameJob]) -> tuple[np.ndarray, float]:
        sized, eff = sizematch(_stack(jobs), self.sizing, self.resizer)
        return coerce_channels(sized, self.sizing), eff

    def _whole_frame_forward(self, model: LoadedModel, jobs: list[FrameJob]) -> RawBatch:
        prepared, eff = self._prepare(jobs)
        scale = _scale(model.spec, self.options)
        x = pad_to_stride(scale_images(prepared, scale, self.resizer), model.spec.max_stride)
        return RawBatch(jobs=jobs, eff=eff, outputs=_infer(model, x), extra={"scale": scale})

    def _finish(self, instances: list[PredictedInstance]) -> list[PredictedInstance]:
        return filter_instances(instances, self.filters)


class SingleInstanceStage(Stage):
    """One instance per frame from global peaks; score = Σ peak values (facts §3.5)."""

    def forward(self, jobs: list[FrameJob]) -> RawBatch:
        return self._whole_frame_forward(self.models[0], jobs)

    def decode(self, raw: RawBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = self.options
        pts, vals = _global_peaks(raw.outputs, o)
        factor = spec.confmap_stride / raw.extra["scale"] / raw.eff
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            p = pts[b] * factor
            if np.isnan(p).all():
                out.append([])
                continue
            inst = _instance_from(p, vals[b], float(np.nansum(vals[b])))
            out.append(self._finish([inst]))
        return out


class BottomUpStage(Stage):
    """Local peaks + PAF grouping (facts §3.7)."""

    keeps_empty_frames = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        o = self.options
        self.paf_params = paf.PafParams(
            max_edge_length_ratio=o.max_edge_length_ratio,
            dist_penalty_weight=o.dist_penalty_weight,
            n_points=o.n_points,
            min_instance_peaks=o.min_instance_peaks,
            min_line_scores=o.min_line_scores,
        )

    def forward(self, jobs: list[FrameJob]) -> RawBatch:
        return self._whole_frame_forward(self.models[0], jobs)

    def decode(self, raw: RawBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = self.options
        pafs_nchw = raw.outputs[PAFS]
        found = _local_peaks(raw.outputs, o).scaled(float(spec.confmap_stride))
        back = 1.0 / raw.extra["scale"] / raw.eff
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            pafs_hwc = np.ascontiguousarray(pafs_nchw[b].transpose(1, 2, 0))
            points, pscores, iscores = paf.group_instances(
                found.for_sample(b), pafs_hwc, spec.skeleton.edges, spec.skeleton.n_nodes,
                int(spec.paf_stride or spec.confmap_stride), self.paf_params,
            )
            keep = decoding.keep_top_instances(iscores, o.max_instances)
            insts = [
                _instance_from(points[i] * back, pscores[i], float(iscores[i])) for i in keep
            ]
            out.append(self._finish(insts))
        return out


class MultiClassBottomUpStage(Stage):
    """Local peaks assigned to identities by class maps (facts §3.8)."""

    keeps_empty_frames = True
    trackable = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracks = [Track(c) for c in self.models[0].spec.classes]

    @property
    def tracks(self) -> list[Track]:
        return self._tracks

    def forward(self, jobs: list[FrameJob]) -> RawBatch:
        return self._whole_frame_forward(self.models[0], jobs)

    def decode(self, raw: RawBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = self.options
        found = _local_peaks(raw.outputs, o).scaled(float(spec.confmap_stride))
        back = 1.0 / raw.extra["scale"] / raw.eff
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            points, pscores, iscores, tscores = identity.assign_class_map_identities(
                found.for_sample(b), raw.outputs[CLASS_MAPS][b], spec.skeleton.n_nodes,
                int(spec.class_map_stride or spec.confmap_stride),
            )
            insts = []
            for k in range(points.shape[0]):
                if np.isnan(points[k]).all():
                    continue
                insts.append(_instance_from(points[k] * back, pscores[k], float(iscores[k]),
                                            self._tracks[k], float(tscores[k])))
            if o.max_instances is not None and len(insts) > o.max_instances:
                insts = sorted(insts, key=lambda i: i.score, reverse=True)[: o.max_instances]
            out.append(self._finish(insts))
        return out


class TopDownStage(Stage):
    """Centroids → crops → centered-instance model (facts §3.6, §3.9).

    ``models`` is ``[centroid, instance]``; with a lone instance model the centroids come from
    the frame's instances (GT-centroid mode).
    """

    def __init__(self, models: Sequence[LoadedModel], options: InferenceOptions,
                 resizer: ImageResizer, *, gt_centroids: bool = False) -> None:
        super().__init__(models, options, resizer)
        self.gt_mode = gt_centroids
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
        self.trackable = not self.multiclass
        self._tracks = [Track(c) for c in ispec.classes] if self.multiclass else []
        anchor = options.anchor_part or ispec.anchor_part
        if anchor is None and self.centroid is not None:
            anchor = self.centroid.spec.anchor_part
        self.anchor_ind = ispec.skeleton.index(anchor) if anchor else None

    @property
    def tracks(self) -> list[Track]:
        return self._tracks

    def forward(self, jobs: list[FrameJob]) -> RawBatch:
        o = self.options
        prepared, eff = self._prepare(jobs)
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
        else:
            cspec = self.centroid.spec
            cscale = _scale(cspec, o)
            x = pad_to_stride(scale_images(prepared, cscale, self.resizer), cspec.max_stride)
            found = _local_peaks(_infer(self.centroid, x), o)
            factor = cspec.confmap_stride / cscale
            for b in range(len(jobs)):
                ps = found.for_sample(b)
                idx = decoding.top_k_centroids(ps.points, ps.values, o.max_instances)
                centers.append(ps.points[idx] * factor)
                values.append(ps.values[idx])
        tls = [crops.centered_bbox_tl(c, self.crop_size) for c in centers]
        patches = [crops.crop_patches(prepared[b], tls[b], self.crop_size)
                   for b in range(len(jobs))]
        counts = [len(c) for c in centers]
        outputs: dict[str, np.ndarray] = {}
        iscale = _scale(self.instance.spec, o)
        if sum(counts):
            all_crops = np.concatenate([p for p in patches if len(p)])
            x = pad_to_stride(scale_images(all_crops, iscale, self.resizer),
                              self.instance.spec.max_stride)
            outputs = _infer(self.instance, x)
        return RawBatch(jobs=jobs, eff=eff, outputs=outputs,
                        extra={"tls": tls, "values": values, "counts": counts,
                               "iscale": iscale})

    def decode(self, raw: RawBatch) -> list[list[PredictedInstance]]:
        o = self.options
        ispec = self.instance.spec
        counts: list[int] = raw.extra["counts"]
        out: list[list[PredictedInstance]] = []
        if not sum(counts):
            return [[] for _ in raw.jobs]
        pts, vals = _global_peaks(raw.outputs, o)
        pts = pts * (ispec.confmap_stride / raw.extra["iscale"])
        class_probs = raw.outputs.get(CLASS_VECTORS)
        start = 0
        for b, n in enumerate(counts):
            sl = slice(start, start + n)
            start += n
            tl = raw.extra["tls"][b]
            cvals = raw.extra["values"][b]
            fpts = (pts[sl] + tl[:, None, :]) / raw.eff
            fvals = vals[sl]
            cls_idx = np.full(n, -1)
            cls_p = np.full(n, np.nan)
            if self.multiclass and class_probs is not None and n:
                cls_idx, cls_p = identity.assign_class_vector_identities(class_probs[sl])
            insts = []
            for k in range(n):
                if np.isnan(fpts[k]).all():
                    continue
                track = None
                tscore = 0.0
                if self.multiclass:
                    # Reference quirk (ADR-0009): a crop beyond the class count gets the last
                    # class's track and a NaN probability.
                    track = self._tracks[int(cls_idx[k])]
                    tscore = float(cls_p[k])
                insts.append(_instance_from(fpts[k], fvals[k], float(cvals[k]), track, tscore))
            out.append(self._finish(insts))
        return out


class CentroidOnlyStage(Stage):
    """A lone centroid model: one single-node ``centroid`` instance per peak (facts §3.10)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sk = self.models[0].spec.skeleton
        self._skeleton = Skeleton(nodes=["centroid"]) if sk.n_nodes > 1 else sk

    @property
    def output_skeleton(self) -> Skeleton:
        return self._skeleton

    def forward(self, jobs: list[FrameJob]) -> RawBatch:
        return self._whole_frame_forward(self.models[0], jobs)

    def decode(self, raw: RawBatch) -> list[list[PredictedInstance]]:
        spec = self.models[0].spec
        o = self.options
        found = _local_peaks(raw.outputs, o)
        factor = spec.confmap_stride / raw.extra["scale"] / raw.eff
        n_nodes = self._skeleton.n_nodes
        out: list[list[PredictedInstance]] = []
        for b in range(len(raw.jobs)):
            ps = found.for_sample(b)
            idx = decoding.top_k_centroids(ps.points, ps.values, o.max_instances)
            insts = []
            for k in idx:
                p = np.full((n_nodes, 2), np.nan)
                s = np.full(n_nodes, np.nan)
                p[0] = ps.points[k] * factor
                s[0] = ps.values[k]
                insts.append(_instance_from(p, s, float(ps.values[k])))
            out.append(self._finish(insts))
        return out


def build_stage(models: Sequence[LoadedModel], options: InferenceOptions,
                resizer: ImageResizer) -> Stage:
    """The stage for a combination of one or two models, in any order (facts §1.2)."""
    by_type: dict[str, LoadedModel] = {}
    for m in models:
        t = m.spec.model_type
        if t in by_type:
            raise IncompatibleModelsError(
                f"two {t} models were given ({by_type[t].spec.path}, {m.spec.path})",
                hint="give one model, or a centroid and a centered-instance model",
            )
        by_type[t] = m
    types = set(by_type)
    if len(models) == 1:
        (t,) = types
        m = models[0]
        if t == "single_instance":
            return SingleInstanceStage([m], options, resizer)
        if t == "bottomup":
            return BottomUpStage([m], options, resizer)
        if t == "multi_class_bottomup":
            return MultiClassBottomUpStage([m], options, resizer)
        if t == "centroid":
            return CentroidOnlyStage([m], options, resizer)
        if t in ("centered_instance", "multi_class_topdown"):
            return TopDownStage([m], options, resizer, gt_centroids=True)
    if len(models) == 2 and "centroid" in types:
        other = (types - {"centroid"}).pop() if len(types) == 2 else None
        if other in ("centered_instance", "multi_class_topdown"):
            # The skeletons may differ: the centroid model only finds anchors (the reference
            # pairs e.g. a 2-node centroid model with another skeleton's instance model).
            return TopDownStage([by_type["centroid"], by_type[other]], options, resizer)
    kinds = ", ".join(sorted(m.spec.model_type for m in models))
    raise IncompatibleModelsError(
        f"these models cannot be combined: {kinds}",
        hint="use one model, or centroid + centered_instance / multi_class_topdown",
    )
