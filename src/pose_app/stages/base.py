"""What every stage shares: the frame job, the sizing rules, the network call and the peak helpers.

Coordinates follow the reference's ladder (parity notes §3.4): grid peak ``p`` → ``p·stride`` (model
input) → ``/input_scale`` (sized frame) → ``/eff_scale`` (original frame).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

import attrs
import numpy as np

from pose_app.model import ModelSpec
from pose_app.network_outputs import DecodedOutputs, NetworkOutputs, RuntimeOutputs
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
from pose_domain import decoding, peaks
from pose_domain.errors import InferenceError
from pose_domain.filters import FilterParams, filter_instances
from pose_domain.instance import Instance, PredictedInstance, Track
from pose_domain.skeleton import Skeleton


@attrs.define(eq=False)
class FrameJob:
    """One frame to process.

    Attributes:
        video_index, frame_idx: Where the frame comes from.
        image: ``(H, W, C)`` uint8, or None when it could not be decoded (or was not read).
        gt_instances: Instances whose centroids drive GT-centroid mode.
        keep_instances: Instances already in the input frame that the output keeps.
        resumed: The frame's predictions come from persisted chunks (``--resume``).
    """

    video_index: int
    frame_idx: int
    image: np.ndarray | None
    gt_instances: list[Instance] = attrs.field(factory=list)
    keep_instances: list[Instance] = attrs.field(factory=list)
    resumed: bool = False


def filter_params(options: InferenceOptions) -> FilterParams:
    """The ``--filter_*`` flags as the domain's filter settings."""
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


T = TypeVar("T")


def _first(values: Iterable[T | None]) -> T | None:
    for v in values:
        if v is not None:
            return v
    return None


def _sizing(specs: Sequence[ModelSpec], options: InferenceOptions) -> Sizing:
    """Resolve sizematcher + channel options: CLI first, then the first spec that sets them."""
    o = options.preprocess
    pre = [s.preprocessing for s in specs]
    rgb = o.ensure_rgb if o.ensure_rgb is not None else _first(p.ensure_rgb for p in pre)
    gray = (o.ensure_grayscale if o.ensure_grayscale is not None
            else _first(p.ensure_grayscale for p in pre))
    return Sizing(
        max_height=(o.max_height if o.max_height is not None
                    else _first(p.max_height for p in pre)),
        max_width=o.max_width if o.max_width is not None else _first(p.max_width for p in pre),
        ensure_rgb=bool(rgb),
        ensure_grayscale=bool(gray),
    )


def model_scale(spec: ModelSpec, options: InferenceOptions) -> float:
    """``--input_scale`` or the model's training scale."""
    s = options.preprocess.input_scale
    return float(s if s is not None else (spec.preprocessing.scale or 1.0))


def _stack(jobs: Sequence[FrameJob]) -> np.ndarray:
    return np.stack([j.image for j in jobs if j.image is not None])


def run_network(model: LoadedModel, images: np.ndarray) -> RuntimeOutputs:
    """Run ``model`` on ``images`` as the runtime takes them; failures become one-line
    errors."""
    try:
        return model.runtime.infer(images)
    except Exception as exc:  # runtime failures become one-line errors
        if isinstance(exc, InferenceError):
            raise
        raise InferenceError(
            f"the {model.runtime.name} runtime failed on {model.spec.path}: {exc}"
        ) from exc


def infer(model: LoadedModel, images_nhwc: np.ndarray) -> NetworkOutputs:
    """The heads' maps of ``model`` on ``(B, H, W, C)`` uint8."""
    out = run_network(model, to_nchw(images_nhwc))
    if not isinstance(out, NetworkOutputs):
        raise InferenceError(
            f"the {model.runtime.name} runtime of {model.spec.path} returned "
            f"{type(out).__name__}, not the heads' maps",
            hint="a sleap-nn export folder runs alone, as its own model")
    return out


def infer_decoded(model: LoadedModel, images_nhwc: np.ndarray) -> DecodedOutputs:
    """The peaks a sleap-nn export graph found in ``(B, H, W, C)`` uint8 frames."""
    out = run_network(model, to_nchw(images_nhwc))
    if not isinstance(out, DecodedOutputs):
        raise InferenceError(
            f"the {model.runtime.name} runtime of {model.spec.path} returned "
            f"{type(out).__name__}, not a sleap-nn export graph's peaks")
    return out


def required(output: np.ndarray | None, what: str, path: str) -> np.ndarray:
    """``output``, which the model type needs (an error when the network lacks it)."""
    if output is None:
        raise InferenceError(f"the network of {path} returned no {what}",
                             hint="check that the model folder holds the model type it says")
    return output


def centroid_options(o: InferenceOptions) -> InferenceOptions:
    """The options a centroid stage finds its peaks with (``--centroid_peak_threshold``)."""
    if o.centroid_peak_threshold is None:
        return o
    return attrs.evolve(o, peak_threshold=o.centroid_peak_threshold)


def _offsets(outputs: NetworkOutputs, o: InferenceOptions) -> np.ndarray | None:
    return outputs.offsets if o.legacy_offset_refinement else None


def _global_peaks(outputs: NetworkOutputs,
                  o: InferenceOptions) -> tuple[np.ndarray, np.ndarray]:
    """Global peaks ``(B, C, 2)``; with learned offsets: grid peak + offset (SLEAP 1.4)."""
    offs = _offsets(outputs, o)
    pts, vals = peaks.find_global_peaks(outputs.confmaps, o.peak_threshold,
                                        o.refine and offs is None, o.integral_patch_size)
    if offs is not None:
        pts = peaks.offset_refine_global(pts, offs)
    elif o.local_refine:  # SLEAP 1.x quarter-pixel steps toward the larger neighbour
        pts = peaks.local_refine_global(outputs.confmaps, pts)
    return pts, vals


def _local_peaks(outputs: NetworkOutputs, o: InferenceOptions) -> peaks.PeakSet:
    """Local peaks; with learned offsets: grid peak + offset (SLEAP 1.4)."""
    offs = _offsets(outputs, o)
    found = peaks.find_local_peaks(outputs.confmaps, o.peak_threshold,
                                   o.refine and offs is None, o.integral_patch_size)
    if offs is not None:
        return peaks.offset_refine_local(found, offs)
    if o.local_refine:
        return peaks.local_refine_peaks(outputs.confmaps, found)
    return found


def frame_centroids(raw: WholeFrameBatch, spec: ModelSpec,
                    o: InferenceOptions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per frame of a centroid model's batch: the centroids it keeps (the best
    ``max_instances``, parity notes §3.6) in frame coordinates, and their peak values."""
    found = _local_peaks(raw.outputs, centroid_options(o))
    factor = spec.confmap_stride / raw.scale / raw.eff
    out = []
    for b in range(len(raw.jobs)):
        ps = found.for_sample(b)
        keep = decoding.top_k_centroids(ps.points, ps.values, o.max_instances)
        out.append((ps.points[keep] * factor, ps.values[keep]))
    return out


def instance_from(points: np.ndarray, scores: np.ndarray, score: float,
                  track: Track | None = None, tracking_score: float = 0.0) -> PredictedInstance:
    return PredictedInstance(points=points, point_scores=scores, score=score, track=track,
                             tracking_score=tracking_score)


BatchT = TypeVar("BatchT")


class Stage(Generic[BatchT]):
    """Base of the stages: ``forward`` makes a typed batch that only ``decode`` reads.

    Class attributes each stage declares (no dispatch on class names):

    * ``model_type``: the pipeline's name in the provenance (``single_instance``,
      ``top_down``...);
    * ``keeps_empty_frames``: frames with no instance stay in the output (reference ``track``);
    * ``trackable``: its instances may be tracked (not multi-class ones: they carry identities);
    * ``needs_gt_centroids``: the centroids come from the input's instances (a lone
      centered-instance model), so the input must be a labeled ``.slp``;
    * ``keeps_input_instances``: the user instances of a labeled input stay in the output
      (not when the output skeleton is another one, as a lone centroid model's).
    """

    model_type: str = ""
    keeps_empty_frames: bool = False
    trackable: bool = True
    needs_gt_centroids: bool = False
    keeps_input_instances: bool = True

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

    def forward(self, jobs: list[FrameJob]) -> BatchT:
        """Preprocess ``jobs`` (same-shaped decoded frames) and run the network(s)."""
        raise NotImplementedError

    def decode(self, raw: BatchT) -> list[list[PredictedInstance]]:
        """Network outputs → instances per frame of the batch (in job order)."""
        raise NotImplementedError

    def _prepare(self, jobs: list[FrameJob]) -> tuple[np.ndarray, float]:
        sized, eff = sizematch(_stack(jobs), self.sizing, self.resizer)
        return coerce_channels(sized, self.sizing), eff

    def _finish(self, instances: list[PredictedInstance],
                centroids: Sequence[np.ndarray] | None = None) -> list[PredictedInstance]:
        """The filters; ``centroids`` (one per instance, frame px) are what the centroid
        distance NMS compares when the stage detected them (top-down)."""
        return filter_instances(instances, self.filters, centroids)


@attrs.define(eq=False)
class WholeFrameBatch:
    """Outputs of one network run on whole frames.

    Attributes:
        jobs: The frames, in order.
        eff: Sizematcher scale (sized frame / original frame).
        scale: Input scale (model input / sized frame).
        outputs: The heads' maps, NCHW.
    """

    jobs: list[FrameJob]
    eff: float
    scale: float
    outputs: NetworkOutputs


class WholeFrameStage(Stage[WholeFrameBatch]):
    """A stage that runs its one model on whole frames."""

    def forward(self, jobs: list[FrameJob]) -> WholeFrameBatch:
        model = self.models[0]
        prepared, eff = self._prepare(jobs)
        scale = model_scale(model.spec, self.options)
        x = pad_to_stride(scale_images(prepared, scale, self.resizer), model.spec.max_stride)
        return WholeFrameBatch(jobs=jobs, eff=eff, scale=scale, outputs=infer(model, x))
