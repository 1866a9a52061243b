"""SLEAP 1.x's low-level inference API: inference models called on one batch, the visual
predictor, and the model-head helpers (``find_head``, ``get_model_output_stride``,
``get_keras_model_path``).

An inference model runs the predictor's own stage (``forward`` then ``decode``, as ``pose
track`` does) on the batch it is given, without tracking, and returns the per-batch arrays of
:mod:`pose_app.predict.arrays`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from pose._predictor import Predictor, _frames_of, _RecordingRuntime
from pose_app.model import CLASS_MAPS, CLASS_VECTORS, CONFMAPS, PAFS, ModelSpec
from pose_app.network_outputs import NetworkOutputs
from pose_app.ports.models import LoadedModel
from pose_app.predict.arrays import batch_arrays
from pose_app.realtime import as_frames
from pose_domain.errors import InvalidOptionError, UnsupportedInputError

if TYPE_CHECKING:
    from pose_app.stages import AnyStage

#: SLEAP 1.x head names of each model type's outputs, in output order (with the output key).
HEADS: dict[str, tuple[tuple[str, str], ...]] = {
    "single_instance": (("SingleInstanceConfmapsHead", CONFMAPS),),
    "centroid": (("CentroidConfmapsHead", CONFMAPS),),
    "centered_instance": (("CenteredInstanceConfmapsHead", CONFMAPS),),
    "multi_class_topdown": (("CenteredInstanceConfmapsHead", CONFMAPS),
                            ("ClassVectorsHead", CLASS_VECTORS)),
    "bottomup": (("MultiInstanceConfmapsHead", CONFMAPS), ("PartAffinityFieldsHead", PAFS)),
    "multi_class_bottomup": (("MultiInstanceConfmapsHead", CONFMAPS),
                             ("ClassMapsHead", CLASS_MAPS)),
}


class InferenceModel:
    """A predictor's networks and decoding, called on one batch of images.

    Attributes:
        predictor: The predictor whose models and options it uses.
        return_confmaps: Also return the confidence maps, channels-last (``confmaps``;
            top-down: ``centroid_confmaps`` and ``instance_confmaps``, one row per crop).
        return_pafs: Also return the part affinity fields (``part_affinity_fields``).
    """

    def __init__(self, predictor: Predictor, *, return_confmaps: bool = False,
                 return_pafs: bool = False) -> None:
        self.predictor = predictor
        self.return_confmaps = return_confmaps
        self.return_pafs = return_pafs

    def _stage(self) -> tuple[AnyStage, list[_RecordingRuntime]]:
        from pose_app.stages import build_stage

        p = self.predictor
        recorders = [_RecordingRuntime(m.runtime) for m in p.models]
        models = [LoadedModel(spec=m.spec, runtime=r) for m, r in zip(p.models, recorders)]
        return build_stage(models, p.inference, p.use_case.resizer), recorders

    def __call__(self, data: Any) -> dict[str, np.ndarray]:
        """Predict one batch.

        Args:
            data: ``(B, H, W, C)`` images (uint8, or float in ``[0, 1]``), one ``(H, W, C)``
                image, or a dict holding them under ``"image"`` (or ``"images"``).

        Returns:
            The batch's arrays (``instance_peaks (B, I, N, 2)``, ``instance_peak_vals``…, by
            model type), NaN-padded, with ``n_valid``.
        """
        from pose_app.stages import FrameJob

        if isinstance(data, dict):
            key = "image" if "image" in data else "images"
            if key not in data:
                raise InvalidOptionError("a dict batch needs an 'image' key",
                                         hint="pass {'image': images} or the images")
            data = data[key]
        frames = as_frames(np.asarray(data))
        stage, recorders = self._stage()
        if stage.needs_gt_centroids:
            raise UnsupportedInputError(
                "this predictor takes centroids or instances from labels",
                hint="use predictor.predict(labels) with a sio.Labels instead")
        jobs = [FrameJob(video_index=0, frame_idx=i, image=f) for i, f in enumerate(frames)]
        per_frame = stage.decode(stage.forward(jobs))
        out = batch_arrays(per_frame, model_type=stage.model_type,
                           n_nodes=stage.output_skeleton.n_nodes, classes=stage.tracks)
        self._attach(out, recorders)
        return out

    def _attach(self, out: dict[str, np.ndarray], recorders: list[_RecordingRuntime]) -> None:
        calls = [r.outputs[-1] if r.outputs and isinstance(r.outputs[-1], NetworkOutputs)
                 else None for r in recorders]  # None: no call, or a graph without maps
        if self.return_confmaps:
            keys = (["centroid_confmaps", "instance_confmaps"] if len(calls) == 2
                    else ["centroid_confmaps"] if self.predictor.models[0].spec.model_type
                    == "centroid" else ["confmaps"])
            for key, got in zip(keys, calls):
                if got is not None:
                    out[key] = np.moveaxis(np.asarray(got.confmaps), 1, -1)
        last = calls[-1] if calls else None
        if self.return_pafs and last is not None and last.pafs is not None:
            out["part_affinity_fields"] = np.moveaxis(np.asarray(last.pafs), 1, -1)

    def predict(self, data: Any, numpy: bool = True, batch_size: int = 4,
                **kwargs: Any) -> dict[str, np.ndarray]:
        """Predict every frame of ``data`` (images ``(N, H, W, C)``, a ``sio.Video`` or a
        video path) in batches of ``batch_size``; the batches' arrays are concatenated on
        axis 0 (axis 1 NaN-padded to the largest instance count)."""
        if kwargs:
            raise InvalidOptionError(f"unknown argument(s): {', '.join(sorted(kwargs))}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidOptionError(f"batch_size must be a positive integer, got {batch_size!r}")
        return concat_batches(list(self._batches(data, batch_size)))

    def _batches(self, data: Any, batch_size: int) -> Iterator[dict[str, np.ndarray]]:
        batch: list[np.ndarray] = []
        source = as_frames(data) if isinstance(data, np.ndarray) else _frames_of(data)
        for frame in source:
            if batch and frame.shape != batch[0].shape:
                yield self(np.stack(batch))
                batch = []
            batch.append(frame)
            if len(batch) == batch_size:
                yield self(np.stack(batch))
                batch = []
        if batch:
            yield self(np.stack(batch))


class SingleInstanceInferenceModel(InferenceModel):
    """Single-instance model: ``instance_peaks (B, 1, N, 2)``, ``instance_peak_vals``."""


class TopDownInferenceModel(InferenceModel):
    """Top-down: ``centroids``, ``centroid_vals``, ``instance_peaks``, ``instance_peak_vals``,
    ``instance_scores``."""


class BottomUpInferenceModel(InferenceModel):
    """Bottom-up: ``instance_peaks``, ``instance_peak_vals``, ``instance_scores``."""


def inference_model_for(predictor: Predictor) -> InferenceModel:
    """The inference model class of the predictor's model type."""
    kind = predictor.models[-1].spec.model_type if predictor.models else ""
    cls: type[InferenceModel] = InferenceModel
    if kind == "single_instance":
        cls = SingleInstanceInferenceModel
    elif kind in ("centered_instance", "multi_class_topdown"):
        cls = TopDownInferenceModel
    elif kind in ("bottomup", "multi_class_bottomup"):
        cls = BottomUpInferenceModel
    return cls(predictor)


def concat_batches(batches: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Per-batch arrays as one dict: axis 0 concatenated, axis 1 padded with NaN (-1 for
    integer arrays) to the widest batch (crop-level arrays are concatenated as they are)."""
    if not batches:
        return {}
    out: dict[str, np.ndarray] = {}
    for key in batches[0]:
        parts = [b[key] for b in batches if key in b]
        if parts[0].ndim >= 2 and key not in ("instance_confmaps",) and all(
                p.shape[2:] == parts[0].shape[2:] for p in parts):
            width = max(p.shape[1] for p in parts)
            fill = -1 if np.issubdtype(parts[0].dtype, np.integer) else np.nan
            parts = [np.concatenate([p, np.full((p.shape[0], width - p.shape[1], *p.shape[2:]),
                                                fill, dtype=p.dtype)], axis=1)
                     if p.shape[1] < width else p for p in parts]
        out[key] = np.concatenate(parts, axis=0)
    return out


class VisualPredictor(Predictor):
    """The raw network outputs for plotting: ``predict`` returns, per batch, the arrays of
    :class:`InferenceModel` with ``confmaps`` (channels-last) and, for bottom-up models,
    ``part_affinity_fields``."""

    @classmethod
    def from_trained_models(cls, model_path: str | os.PathLike[str], **options: Any) -> Any:
        """Load one model folder (``**options``: ``pose track`` flags by name)."""
        return cls.from_model_paths([os.fspath(model_path)], **options)

    def predict(self, data: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Per-batch dicts of raw outputs for ``data`` (images, ``sio.Video`` or a path)."""
        if kwargs:
            raise InvalidOptionError(f"unknown argument(s): {', '.join(sorted(kwargs))}")
        model = InferenceModel(self, return_confmaps=True, return_pafs=True)
        return list(model._batches(data, self.inference.batch_size))


def _spec(model: Any) -> ModelSpec:
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, LoadedModel):
        return model.spec
    if isinstance(model, Predictor):
        return model.models[-1].spec
    if isinstance(model, (str, os.PathLike)):
        from pose_adapters.model_config import load_model_spec

        return load_model_spec(os.fspath(model))
    raise InvalidOptionError(
        f"model must be a Predictor, a loaded model, a ModelSpec or a model folder, got "
        f"{type(model).__name__}")


def _outputs(model: Any) -> tuple[ModelSpec, tuple[tuple[str, str], ...]]:
    spec = _spec(model)
    return spec, HEADS.get(spec.model_type, (("ConfmapsHead", CONFMAPS),))


def find_head(model: Any, name: str) -> int | None:
    """Index of the first output of ``model`` whose SLEAP head name contains ``name``.

    Args:
        model: A :class:`pose.Predictor` (its main model), a loaded model, a ``ModelSpec`` or
            a model folder.
        name: Part of a head name: ``"SingleInstanceConfmapsHead"``, ``"CentroidConfmapsHead"``,
            ``"CenteredInstanceConfmapsHead"``, ``"MultiInstanceConfmapsHead"``,
            ``"PartAffinityFieldsHead"``, ``"ClassMapsHead"``, ``"ClassVectorsHead"``.

    Returns:
        The output index, or None when no output matches.
    """
    if not isinstance(name, str):
        raise InvalidOptionError(f"name must be a string, got {type(name).__name__}")
    _, heads = _outputs(model)
    return next((i for i, (head, _) in enumerate(heads) if name in head), None)


def get_model_output_stride(model: Any, input_ind: int = 0, output_ind: int = -1) -> int:
    """Stride of an output of ``model`` relative to its input (input height / output height).

    Args:
        model: As in :func:`find_head`.
        input_ind: The input (pose's models have one: 0).
        output_ind: The output (default -1: the last).
    """
    spec, heads = _outputs(model)
    if input_ind not in (0, -1):
        raise InvalidOptionError(f"input_ind {input_ind} is out of range: the model has 1 input")
    if not -len(heads) <= output_ind < len(heads):
        raise InvalidOptionError(
            f"output_ind {output_ind} is out of range: the model has {len(heads)} output(s)")
    key = heads[output_ind][1]
    stride = {CONFMAPS: spec.confmap_stride, PAFS: spec.paf_stride,
              CLASS_MAPS: spec.class_map_stride}.get(key)
    if stride is None:
        raise InvalidOptionError(f"output {output_ind} ({heads[output_ind][0]}) is not an image",
                                 hint="pick a confidence-map or PAF output")
    return int(stride)


def get_keras_model_path(path: str | os.PathLike[str]) -> str:
    """The Keras weights of a SLEAP 1.x model folder (or of the folder of its
    ``training_job.json`` / ``training_config.json``): ``best_model.h5``, else
    ``final_model.h5``."""
    from pose_adapters.keras.weights import keras_weights_path
    from pose_adapters.model_config.loading import resolve_model_dir

    return str(keras_weights_path(resolve_model_dir(os.fspath(path))))
