"""The Python API: ``run_inference`` and a reusable :class:`Predictor`.

This is the library's composition root (the CLI's is :mod:`pose_cli.bootstrap`): it wires the
real adapters by default, and every collaborator can be injected instead (a fake runtime, a
custom video opener, an in-memory labels store…)::

    from pose_cli.api import Predictor, run_inference

    labels = run_inference("video.mp4", ["centroid/", "centered_instance/"], tracking=True,
                           max_tracks=2, frames="0-99")

    predictor = Predictor.from_model_paths(["bottomup/"], peak_threshold=0.3)
    for video in videos:
        predictor.predict(video, output_path=video + ".predictions.slp")

Options take the ``pose track`` flag names (``peak_threshold``, ``max_instances``,
``tracking_window_size``…); an unknown name is an :class:`InvalidOptionError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pose_app.options import FrameSelection, InferenceOptions, TrackingOptions, TrackOptions
from pose_app.ports.labels import LabelsStore
from pose_app.ports.models import LoadedModel, ModelLoader
from pose_app.ports.progress import ProgressReporter
from pose_app.ports.runtime import ImageResizer
from pose_app.ports.tracking import TrackerFactory
from pose_app.ports.video import VideoOpener
from pose_app.predict import PredictRequest, PredictResult, PredictUseCase
from pose_domain.instance import PredictedInstance


class _RecordingRuntime:
    """Wraps a runtime and keeps the outputs of every call (``return_confmaps``)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.outputs: list[dict[str, np.ndarray]] = []

    def infer(self, images: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = self.inner.infer(images)
        self.outputs.append(out)
        return out


class Predictor:
    """Models loaded once, run on many inputs.

    Build it with :meth:`from_model_paths` (real adapters) or pass any collaborator to the
    constructor to replace it.
    """

    def __init__(
        self,
        models: Sequence[LoadedModel],
        use_case: PredictUseCase,
        *,
        inference: InferenceOptions,
        tracking: TrackingOptions | None = None,
        selection: FrameSelection | None = None,
        model_paths: Sequence[str] = (),
        output_format: Sequence[str] = ("slp",),
    ) -> None:
        self.models = list(models)
        self.use_case = use_case
        self.inference = inference
        self.tracking = tracking
        self.selection = selection or FrameSelection()
        self.model_paths = tuple(model_paths)
        self.output_format = tuple(output_format)

    @classmethod
    def from_model_paths(
        cls,
        model_paths: str | Sequence[str],
        *,
        loader: ModelLoader | None = None,
        resizer: ImageResizer | None = None,
        labels_store: LabelsStore | None = None,
        open_video: VideoOpener | None = None,
        tracker_factory: TrackerFactory | None = None,
        progress: ProgressReporter | str | None = None,
        **options: Any,
    ) -> Predictor:
        """Load models and wire the real adapters (each one replaceable by keyword).

        Args:
            model_paths: One model folder, two for top-down, or an export folder.
            progress: A reporter, or ``"rich"``, ``"json"`` or ``"none"``.
            **options: ``pose track`` options by flag name (see
                :class:`pose_app.options.TrackOptions`).
        """
        from pose_cli import bootstrap

        paths = [model_paths] if isinstance(model_paths, str) else list(model_paths)
        opts = TrackOptions.from_flags(options)
        if isinstance(progress, str):
            progress = bootstrap.make_progress(progress)
        overrides = bootstrap.Overrides(loader=loader, resizer=resizer,
                                        labels_store=labels_store, open_video=open_video,
                                        tracker_factory=tracker_factory)
        use_case = bootstrap.build_predict_use_case(overrides, progress=progress)
        models = use_case.load_models(tuple(paths), opts.inference)
        return cls(models, use_case, inference=opts.inference,
                   tracking=opts.tracking_or_none(), selection=opts.selection,
                   model_paths=paths, output_format=opts.output.output_format)

    def predict(
        self,
        data_path: str,
        *,
        frames: str = "",
        output_path: str | None = None,
        make_labels: bool = True,
        return_confmaps: bool = False,
        video_dataset: str | None = None,
        video_input_format: str = "channels_last",
        output_format: str | Sequence[str] | None = None,
    ) -> Any:
        """Predict on one input.

        ``output_format``: the format(s) written for ``output_path`` (default: the
        ``output_format`` option, else ``slp``); the first goes to ``output_path`` named for
        its format, the others beside it (``pose system`` lists the formats).

        Returns:
            ``sleap_io.Labels`` when ``make_labels`` (also written to ``output_path`` if
            given); otherwise a dict of arrays (see :func:`result_arrays`). With
            ``return_confmaps`` the dict also holds ``confmaps``: the first network's outputs
            concatenated over batches, ``(n_frames, n_channels, h, w)``.
        """
        models = self.models
        recorders: list[_RecordingRuntime] = []
        if return_confmaps:
            recorders = [_RecordingRuntime(m.runtime) for m in models]
            models = [LoadedModel(spec=m.spec, runtime=r) for m, r in zip(models, recorders)]
        request = PredictRequest(
            data_path=data_path, model_paths=self.model_paths, inference=self.inference,
            tracking=self.tracking, selection=self.selection,
            frames_spec=frames or self.selection.frames,
            video_dataset=video_dataset, video_input_format=video_input_format,
        )
        formats = ([output_format] if isinstance(output_format, str)
                   else list(output_format or self.output_format))
        if output_path:
            from pose_cli import bootstrap

            bootstrap.check_outputs(formats)
        result = self.use_case(request, models=models)
        labels = None
        if output_path:
            from pose_app.options import OutputOptions
            from pose_cli import bootstrap

            target = bootstrap.output_path(output_path, formats[0])
            with bootstrap.output_lock(target):
                bootstrap.write_outputs(result.dataset, target,
                                        OutputOptions(output_format=formats))
        if make_labels:
            from pose_adapters.slp.store import labels_from_dataset

            labels = labels_from_dataset(result.dataset)
        if make_labels and not return_confmaps:
            return labels
        out = result_arrays(result)
        if return_confmaps and recorders and recorders[0].outputs:
            from pose_app.model import CONFMAPS

            out["confmaps"] = np.concatenate([o[CONFMAPS] for o in recorders[0].outputs])
        if make_labels:
            out["labels"] = labels
        return out


def result_arrays(result: PredictResult) -> dict[str, Any]:
    """Predictions as arrays: per frame ``video_index``, ``frame_idx`` and lists of
    ``points (n_instances, n_nodes, 2)``, ``point_scores (n_instances, n_nodes)``,
    ``scores (n_instances,)``, ``track_names``."""
    frames = result.dataset.frames
    n_nodes = result.dataset.skeleton.n_nodes if result.dataset.skeleton else 0
    points, pscores, scores, tracks = [], [], [], []
    for f in frames:
        preds = [i for i in f.instances if isinstance(i, PredictedInstance)]
        points.append(np.stack([i.points for i in preds]) if preds
                      else np.zeros((0, n_nodes, 2)))
        pscores.append(np.stack([i.point_scores for i in preds]) if preds
                       else np.zeros((0, n_nodes)))
        scores.append(np.array([i.score for i in preds]))
        tracks.append([i.track.name if i.track else None for i in preds])
    return {
        "video_index": np.array([f.video_index for f in frames], dtype=np.int64),
        "frame_idx": np.array([f.frame_idx for f in frames], dtype=np.int64),
        "points": points,
        "point_scores": pscores,
        "scores": scores,
        "track_names": tracks,
        "provenance": result.dataset.provenance,
    }


def run_inference(
    data_path: str,
    model_paths: str | Sequence[str],
    output_path: str | None = None,
    make_labels: bool = True,
    return_confmaps: bool = False,
    **options: Any,
) -> Any:
    """Predict (and optionally track) on one input with one or two models.

    Args:
        data_path: Video, ``.slp``/``.pkg.slp``, HDF5 video or image folder.
        model_paths: One model folder, or two for top-down.
        output_path: Also write the predictions here (``.slp``).
        make_labels: Return ``sleap_io.Labels``; False returns arrays.
        return_confmaps: Also return the first network's raw outputs.
        **options: ``pose track`` options by flag name, e.g. ``frames="0-99"``,
            ``tracking=True``, ``max_tracks=2``, ``peak_threshold=0.3``.
    """
    frames = options.pop("frames", "")
    output_format = options.pop("output_format", None)
    video_dataset = options.pop("video_dataset", None)
    video_input_format = options.pop("video_input_format", "channels_last")
    predictor = Predictor.from_model_paths(model_paths, **options)
    return predictor.predict(
        data_path, frames=frames, output_path=output_path, make_labels=make_labels,
        return_confmaps=return_confmaps, video_dataset=video_dataset,
        video_input_format=video_input_format, output_format=output_format,
    )
