"""The predictor classes of SLEAP 1.x ``sleap.nn.inference``, one per model type.

Each is a :class:`pose.Predictor` (same use case as ``pose track``) with the document's
``from_trained_models`` constructor and readable (and settable) attributes. ``load_model`` and
:meth:`pose.Predictor.from_model_paths` pick the class from the models' type.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from pose._predictor import Predictor
from pose_app.options import TrackOptions
from pose_domain.errors import IncompatibleModelsError, InvalidOptionError

if TYPE_CHECKING:
    from pose._inference import InferenceModel
    from pose_app.options import TrackingOptions
    from pose_app.ports.models import LoadedModel
    from pose_app.ports.runtime import ImageResizer


class _Inference:
    """An attribute that reads and sets one inference option (the flag ``flag``)."""

    def __init__(self, flag: str, doc: str) -> None:
        self.flag = flag
        self.__doc__ = doc

    def __get__(self, obj: Predictor | None, owner: type) -> Any:
        if obj is None:
            return self
        return getattr(obj.inference, self.flag)

    def __set__(self, obj: Predictor, value: Any) -> None:
        inference = attrs.evolve(obj.inference, **{self.flag: value})  # validators run here
        obj.options = attrs.evolve(obj.options, inference=inference)
        obj._session = None


class _Refinement(_Inference):
    """``integral_refinement`` as SLEAP spells it: True (integral), False (none) or "local"."""

    def __get__(self, obj: Predictor | None, owner: type) -> Any:
        if obj is None:
            return self
        value = obj.inference.integral_refinement
        return value if value == "local" else value == "integral"


def _model(obj: Predictor, kinds: tuple[str, ...]) -> LoadedModel | None:
    for m in obj.models:
        if m.spec.model_type in kinds:
            return m
    return None


class _Model:
    """The loaded model (``*_model``) or its typed config (``*_config``) of one role."""

    def __init__(self, kinds: tuple[str, ...], config: bool, doc: str) -> None:
        self.kinds = kinds
        self.config = config
        self.__doc__ = doc

    def __get__(self, obj: Predictor | None, owner: type) -> Any:
        if obj is None:
            return self
        m = _model(obj, self.kinds) or (obj.models[-1] if self.kinds == ("*",) else None)
        if m is None:
            return None
        return m.spec if self.config else m


_ANY = ("*",)
_CENTROID = ("centroid",)
_INSTANCE = ("centered_instance", "multi_class_topdown")
_COMMON = {
    "batch_size": "Frames per batch.",
    "peak_threshold": "Smallest confidence-map value that counts as a peak.",
    "integral_patch_size": "Patch size (pixels) of integral refinement.",
}


def _common(cls: type) -> type:
    for name, doc in _COMMON.items():
        setattr(cls, name, _Inference(name, doc))
    cls.integral_refinement = _Refinement(  # type: ignore[attr-defined]
        "integral_refinement", "True: integral refinement; False: none; \"local\": SLEAP "
        "1.x's quarter-pixel step.")
    return cls


def _flags(batch_size: int, peak_threshold: float, integral_refinement: bool | str | None,
           integral_patch_size: int) -> dict[str, Any]:
    return {"batch_size": batch_size, "peak_threshold": peak_threshold,
            "integral_refinement": integral_refinement,
            "integral_patch_size": integral_patch_size}


def _paths(**named: str | os.PathLike[str] | None) -> list[str]:
    out = []
    for name, value in named.items():
        if value is None:
            continue
        if not isinstance(value, (str, os.PathLike)):
            raise InvalidOptionError(f"{name} must be a path, got {type(value).__name__}")
        out.append(os.fspath(value))
    return out


class _Typed(Predictor):
    """What every per-type predictor shares."""

    #: Model types (the stage's ``model_type``) this class runs.
    model_types: tuple[str, ...] = ()
    pipeline = None  # SLEAP's tf.data pipeline: pose reads inputs inside ``predict``

    def make_pipeline(self, data_provider: Any = None) -> None:
        """Accepted for SLEAP 1.x scripts: pose reads the data inside :meth:`predict`, so there
        is no pipeline to build (``pipeline`` stays None)."""
        return None

    @property
    def tracker(self) -> TrackingOptions | None:
        """The tracking options (None: no identity tracking)."""
        return self.tracking

    @property
    def inference_model(self) -> InferenceModel:
        """The low-level model: call it on one ``(B, H, W, C)`` batch (see
        :class:`pose.InferenceModel`)."""
        from pose._inference import inference_model_for

        model = self.__dict__.get("_inference_model")
        if model is None:  # one object, so return_confmaps / return_pafs stay set
            model = self.__dict__["_inference_model"] = inference_model_for(self)
        return model

    @classmethod
    def _from_trained(cls, paths: list[str], flags: dict[str, Any],
                      options: dict[str, Any]) -> Any:
        if not paths:
            raise InvalidOptionError("no model path was given",
                                     hint="pass the trained model folder(s)")
        opts = TrackOptions.from_flags({**flags, **options})
        return cls.from_options(paths, opts, progress=opts.run.progress)


@_common
class SingleInstancePredictor(_Typed):
    """One animal per frame from a single-instance model (SLEAP 1.x
    ``SingleInstancePredictor``)."""

    model_types = ("single_instance",)
    confmap_config = _Model(_ANY, True, "The model's typed config (``pose_app.model.ModelSpec``).")
    confmap_model = _Model(_ANY, False, "The loaded model (spec + runtime).")

    @classmethod
    def from_trained_models(cls, model_path: str | os.PathLike[str],
                            peak_threshold: float = 0.2,
                            integral_refinement: bool | str | None = True,
                            integral_patch_size: int = 5, batch_size: int = 4,
                            **options: Any) -> Any:
        """Load a single-instance model.

        Args:
            model_path: The model folder, or its ``training_config.json`` /
                ``training_job.json`` / ``training_config.yaml``.
            peak_threshold: Smallest confidence-map value that counts as a peak.
            integral_refinement: True (integral, default), False (none) or ``"local"``.
            integral_patch_size: Patch size (pixels) of integral refinement.
            batch_size: Frames per batch.
            **options: Any ``pose track`` option by flag name.
        """
        return cls._from_trained(
            _paths(model_path=model_path),
            _flags(batch_size, peak_threshold, integral_refinement, integral_patch_size),
            options)


@_common
class TopDownPredictor(_Typed):
    """Centroid model → crops → centered-instance model (SLEAP 1.x ``TopDownPredictor``).

    Either model may be left out to run the other one against the labels given to
    :meth:`predict` (a ``sio.Labels`` or ``.slp``): no centroid model = the ground-truth
    centroids of the labeled instances; no centered-instance model = the labeled instances
    matched to the predicted centroids.
    """

    model_types = ("top_down",)
    centroid_config = _Model(_CENTROID, True, "Typed config of the centroid model (or None).")
    centroid_model = _Model(_CENTROID, False, "The loaded centroid model (None: ground truth).")
    confmap_config = _Model(_INSTANCE, True, "Typed config of the centered-instance model.")
    confmap_model = _Model(_INSTANCE, False,
                           "The loaded centered-instance model (None: ground truth).")

    @classmethod
    def from_trained_models(cls, centroid_model_path: str | os.PathLike[str] | None = None,
                            confmap_model_path: str | os.PathLike[str] | None = None,
                            batch_size: int = 4, peak_threshold: float = 0.2,
                            integral_refinement: bool | str | None = True,
                            integral_patch_size: int = 5, **options: Any) -> Any:
        """Load a centroid and a centered-instance model (either may be None).

        Args:
            centroid_model_path: The centroid model folder (None: ground-truth centroids).
            confmap_model_path: The centered-instance model folder (None: ground-truth
                instances matched to the predicted centroids).
            batch_size: Frames per batch.
            peak_threshold: Smallest confidence-map value that counts as a peak.
            integral_refinement: True (integral, default), False (none) or ``"local"``.
            integral_patch_size: Patch size (pixels) of integral refinement.
            **options: Any ``pose track`` option by flag name.
        """
        if centroid_model_path is None and confmap_model_path is None:
            raise InvalidOptionError(
                "centroid_model_path and confmap_model_path are both None",
                hint="give at least one of the two models")
        if confmap_model_path is None:
            options = {**options, "gt_instances": True}
        paths = _paths(centroid_model_path=centroid_model_path,
                       confmap_model_path=confmap_model_path)
        return cls._from_trained(paths, _flags(batch_size, peak_threshold, integral_refinement,
                                               integral_patch_size), options)


class TopDownMultiClassPredictor(TopDownPredictor):
    """Top-down with identity classes from the centered-instance model (SLEAP 1.x
    ``TopDownMultiClassPredictor``); instances carry their class as their track."""

    model_types = ("top_down_multi_class",)


@_common
class BottomUpPredictor(_Typed):
    """Peaks of every animal grouped by part affinity fields (SLEAP 1.x
    ``BottomUpPredictor``)."""

    model_types = ("bottom_up",)
    bottomup_config = _Model(_ANY, True, "The model's typed config.")
    bottomup_model = _Model(_ANY, False, "The loaded model (spec + runtime).")
    max_edge_length_ratio = _Inference(
        "max_edge_length_ratio", "Longest edge, as a fraction of the image size, that PAFs "
        "connect without a penalty.")
    paf_line_points = _Inference("n_points", "Points sampled along each PAF line.")
    min_line_scores = _Inference("min_line_scores",
                                 "Smallest PAF line score that connects two peaks.")

    @classmethod
    def from_trained_models(cls, model_path: str | os.PathLike[str], batch_size: int = 4,
                            peak_threshold: float = 0.2,
                            integral_refinement: bool | str | None = True,
                            integral_patch_size: int = 5, max_edge_length_ratio: float = 0.5,
                            paf_line_points: int = 10, min_line_scores: float = 0.25,
                            **options: Any) -> Any:
        """Load a bottom-up model.

        Args:
            model_path: The model folder (or its training config file).
            batch_size: Frames per batch.
            peak_threshold: Smallest confidence-map value that counts as a peak.
            integral_refinement: True (integral, default), False (none) or ``"local"``.
            integral_patch_size: Patch size (pixels) of integral refinement.
            max_edge_length_ratio: Longest edge, as a fraction of the image size, that PAFs
                connect without a penalty.
            paf_line_points: Points sampled along each PAF line.
            min_line_scores: Smallest PAF line score that connects two peaks.
            **options: Any ``pose track`` option by flag name.
        """
        flags = _flags(batch_size, peak_threshold, integral_refinement, integral_patch_size)
        flags.update(max_edge_length_ratio=max_edge_length_ratio, n_points=paf_line_points,
                     min_line_scores=min_line_scores)
        return cls._from_trained(_paths(model_path=model_path), flags, options)


class _OneFolder(_Typed):
    """A predictor loaded from one model folder of its type (SLEAP 1.x's argument order)."""

    @classmethod
    def from_trained_models(cls, model_path: str | os.PathLike[str], batch_size: int = 4,
                            peak_threshold: float = 0.2,
                            integral_refinement: bool | str | None = True,
                            integral_patch_size: int = 5, **options: Any) -> Any:
        """Load the model folder (arguments as
        :meth:`SingleInstancePredictor.from_trained_models`)."""
        return cls._from_trained(
            _paths(model_path=model_path),
            _flags(batch_size, peak_threshold, integral_refinement, integral_patch_size),
            options)


@_common
class BottomUpMultiClassPredictor(_OneFolder):
    """Bottom-up with identity class maps (SLEAP 1.x ``BottomUpMultiClassPredictor``);
    instances carry their class as their track."""

    model_types = ("bottom_up_multi_class",)
    config = _Model(_ANY, True, "The model's typed config.")
    model = _Model(_ANY, False, "The loaded model (spec + runtime).")


@_common
class CentroidPredictor(_OneFolder):
    """A centroid model alone: one 1-node instance per detected centroid (sleap-nn's
    centroid-only inference)."""

    model_types = ("centroid",)
    centroid_config = _Model(_ANY, True, "The model's typed config.")
    centroid_model = _Model(_ANY, False, "The loaded model (spec + runtime).")


CLASSES: tuple[type[_Typed], ...] = (
    SingleInstancePredictor, TopDownPredictor, TopDownMultiClassPredictor, BottomUpPredictor,
    BottomUpMultiClassPredictor, CentroidPredictor,
)


def predictor_class(requested: type[Predictor], models: Sequence[LoadedModel],
                    options: TrackOptions, resizer: ImageResizer) -> type[Predictor]:
    """The class for ``models``: the per-type class (a subclass of ``requested``).

    Raises:
        IncompatibleModelsError: ``requested`` is a per-type class of another model type.
    """
    from pose_app.stages import build_stage

    model_type = build_stage(models, options.inference, resizer).model_type
    kind = next((c for c in CLASSES if model_type in c.model_types), None)
    if kind is None or not issubclass(kind, requested):
        if requested is Predictor or not issubclass(requested, _Typed):
            return requested  # e.g. VisualPredictor
        raise IncompatibleModelsError(
            f"{requested.__name__} cannot run a {model_type} model",
            hint=f"use {kind.__name__ if kind else 'pose.load_model'} instead",
        )
    return kind
