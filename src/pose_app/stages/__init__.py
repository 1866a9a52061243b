"""Inference stages per pipeline kind: batch of frames → network outputs → instances.

Each stage has two halves so the streaming pipeline can overlap them:

* ``forward(frames)`` — preprocessing and the network(s) (runs on the inference thread; the
  runtimes release the GIL); it returns the stage kind's own typed batch
  (:class:`WholeFrameBatch`, :class:`TopDownBatch`);
* ``decode(batch)`` — peak finding, grouping, identity assignment and packaging into domain
  instances (runs on the post-processing thread).

Each stage declares what the use case needs to know about it (``model_type``,
``keeps_empty_frames``, ``trackable``, ``needs_gt_centroids``), so nothing dispatches on class
names (ADR-0116).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import ImageResizer
from pose_app.stages.base import (
    FrameJob,
    Stage,
    WholeFrameBatch,
    WholeFrameStage,
    _global_peaks,
    _local_peaks,
    filter_params,
)
from pose_app.stages.exported import EXPORTED_PREFIX, build_exported_stage
from pose_app.stages.ground_truth import GroundTruthInstancesStage
from pose_app.stages.top_down import TopDownBatch, TopDownStage
from pose_app.stages.whole_frame import (
    BottomUpStage,
    CentroidOnlyStage,
    MultiClassBottomUpStage,
    SingleInstanceStage,
)
from pose_domain.errors import IncompatibleModelsError

__all__ = [
    "AnyStage",
    "BottomUpStage",
    "CentroidOnlyStage",
    "FrameJob",
    "GroundTruthInstancesStage",
    "MultiClassBottomUpStage",
    "SingleInstanceStage",
    "Stage",
    "TopDownBatch",
    "TopDownStage",
    "WholeFrameBatch",
    "WholeFrameStage",
    "_global_peaks",
    "_local_peaks",
    "build_stage",
    "filter_params",
]

#: A stage of any kind (its batch type is private to it: only its own ``decode`` reads it).
AnyStage = Stage[Any]

_WHOLE_FRAME: dict[str, type[WholeFrameStage]] = {
    "single_instance": SingleInstanceStage,
    "bottomup": BottomUpStage,
    "multi_class_bottomup": MultiClassBottomUpStage,
    "centroid": CentroidOnlyStage,
}
_INSTANCE_TYPES = ("centered_instance", "multi_class_topdown")


def build_stage(models: Sequence[LoadedModel], options: InferenceOptions,
                resizer: ImageResizer) -> AnyStage:
    """The stage for a combination of one or two models, in any order (parity notes §1.2).

    Raises:
        IncompatibleModelsError: Two models of one type, or a combination with no pipeline.
    """
    if options.gt_instances or options.gt_centroids:
        return _ground_truth_stage(models, options, resizer)
    if models and models[0].spec.model_type.startswith(EXPORTED_PREFIX):
        return build_exported_stage(models, options, resizer)  # a sleap-nn export folder
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
        if t in _WHOLE_FRAME:
            return _WHOLE_FRAME[t]([m], options, resizer)
        if t in _INSTANCE_TYPES:
            return TopDownStage([m], options, resizer, gt_centroids=True)
    if len(models) == 2 and "centroid" in types:
        other = (types - {"centroid"}).pop() if len(types) == 2 else None
        if other in _INSTANCE_TYPES:
            # The skeletons may differ: the centroid model only finds anchors (the reference
            # pairs e.g. a 2-node centroid model with another skeleton's instance model).
            return TopDownStage([by_type["centroid"], by_type[other]], options, resizer)
    kinds = ", ".join(sorted(m.spec.model_type for m in models))
    raise IncompatibleModelsError(
        f"these models cannot be combined: {kinds}",
        hint="use one model, or centroid + centered_instance / multi_class_topdown",
    )


def _ground_truth_stage(models: Sequence[LoadedModel], options: InferenceOptions,
                        resizer: ImageResizer) -> AnyStage:
    """One stage of a top-down model with the other one replaced by the labels."""
    if options.gt_instances and options.gt_centroids:
        raise IncompatibleModelsError(
            "--gt_centroids and --gt_instances replace both top-down models",
            hint="use one of them",
        )
    want = ("centroid",) if options.gt_instances else _INSTANCE_TYPES
    found = [m for m in models if m.spec.model_type in want]
    if not found:
        flag, kind = (("--gt_instances", "a centroid model") if options.gt_instances
                      else ("--gt_centroids", "a centered-instance model"))
        raise IncompatibleModelsError(f"{flag} needs {kind}",
                                      hint=f"add {kind} with -m")
    if options.gt_instances:
        return GroundTruthInstancesStage(found[:1], options, resizer)
    return TopDownStage(found[:1], options, resizer, gt_centroids=True)
