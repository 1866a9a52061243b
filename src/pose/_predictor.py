"""The one :class:`Predictor`: models loaded once, run on paths, arrays, ``sio.Video``,
``sio.Labels`` and streams (ADR-0136, ADR-0140)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from pose import bootstrap
from pose_app.options import FrameSelection, InferenceOptions, TrackingOptions, TrackOptions
from pose_app.ports.models import LoadedModel
from pose_app.realtime import RealtimeSession, as_frames
from pose_domain.errors import InvalidOptionError, UnsupportedInputError

if TYPE_CHECKING:
    from pose_app.network_outputs import RuntimeOutputs
    from pose_app.ports.labels import LabelsStore
    from pose_app.ports.models import ModelLoader
    from pose_app.ports.progress import ProgressReporter
    from pose_app.ports.runtime import ImageResizer, NetworkRuntime
    from pose_app.ports.stream import FrameStream
    from pose_app.ports.tracking import TrackerFactory
    from pose_app.ports.video import VideoOpener
    from pose_app.predict import PredictUseCase
    from pose_app.stream import StreamResult, StreamUseCase

GENERATOR_NAME = "<frames>"


class _RecordingRuntime:
    """Wraps a runtime and keeps the outputs of every call (``return_confmaps``)."""

    def __init__(self, inner: NetworkRuntime) -> None:
        self.inner = inner
        self.name = inner.name
        self.outputs: list[RuntimeOutputs] = []

    def infer(self, images: np.ndarray) -> RuntimeOutputs:
        out = self.inner.infer(images)
        self.outputs.append(out)
        return out


class Predictor:
    """Loaded models: predict on paths, arrays, ``sio.Video``, ``sio.Labels`` or streams.

    Build it with :func:`pose.load_model` (SLEAP 1.x keywords), :meth:`from_model_paths`
    (``pose track`` flag names; every adapter replaceable by keyword) or :meth:`from_options`.
    :meth:`predict` runs the same use case as ``pose track``; :meth:`predict_streaming` and
    :meth:`predict_frame` run the stages synchronously on the calling thread (one
    :class:`pose_app.realtime.RealtimeSession`, whose tracker state they share until
    :meth:`reset`).
    """

    def __init__(self, models: Sequence[LoadedModel], use_case: PredictUseCase,
                 options: TrackOptions, *, model_paths: Sequence[str] = (),
                 stream_use_case: StreamUseCase | None = None) -> None:
        self.models = list(models)
        self.use_case = use_case
        self.stream_use_case = stream_use_case or bootstrap.build_stream_use_case(
            bootstrap.Overrides(resizer=use_case.resizer,
                                tracker_factory=use_case.tracker_factory))
        self.options = options
        self.model_paths = tuple(model_paths)
        self._session: RealtimeSession | None = None
        self._skeleton: Any = None
        self._video: Any = None
        self._tracks: dict[int, Any] = {}
        self._verbosity: str = options.run.progress
        self._report_rate = 2.0

    # -- progress (SLEAP 1.x ``verbosity`` / ``report_rate``) -------------------------------
    @property
    def verbosity(self) -> str:
        """Progress while predicting: ``"rich"`` (a bar), ``"json"`` (JSON lines on stdout)
        or ``"none"``."""
        return self._verbosity

    @verbosity.setter
    def verbosity(self, value: str) -> None:
        if value not in ("rich", "json", "none"):
            raise InvalidOptionError(f"verbosity must be 'rich', 'json' or 'none', got {value!r}")
        self._verbosity = value
        self._new_progress()

    @property
    def report_rate(self) -> float:
        """Progress reports per second."""
        return self._report_rate

    @report_rate.setter
    def report_rate(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise InvalidOptionError(f"report_rate must be a number > 0, got {value!r}")
        self._report_rate = float(value)
        self._new_progress()

    @property
    def report_period(self) -> float:
        """Time between progress reports in seconds (``1 / report_rate``)."""
        return 1.0 / self._report_rate

    def _new_progress(self) -> None:
        progress = bootstrap.make_progress(self._verbosity, period=self.report_period)
        self.use_case = attrs.evolve(self.use_case, progress=progress)

    @property
    def inference(self) -> InferenceOptions:
        return self.options.inference

    @property
    def tracking(self) -> TrackingOptions | None:
        return self.options.tracking_or_none()

    @property
    def selection(self) -> FrameSelection:
        return self.options.selection

    @classmethod
    def from_options(cls, model_paths: Sequence[str], options: TrackOptions, *,
                     adapters: bootstrap.Overrides | None = None,
                     progress: ProgressReporter | str | None = None) -> Predictor:
        """Load ``model_paths`` with parsed options; ``adapters`` replace the real ones (a
        frame sink, a runtime, a tracker, a writer, a stop token…; ADR-0142)."""
        if isinstance(progress, str):
            progress = bootstrap.make_progress(progress)
        use_case = bootstrap.build_predict_use_case(adapters, progress=progress)
        stream = bootstrap.build_stream_use_case(attrs.evolve(  # one resizer, one factory
            adapters or bootstrap.Overrides(), resizer=use_case.resizer,
            tracker_factory=use_case.tracker_factory))
        paths = list(model_paths)
        models = use_case.load_models(tuple(paths), options.inference)
        from pose._predictors import predictor_class  # the class of the model type

        kind = predictor_class(cls, models, options, use_case.resizer)
        return kind(models, use_case, options, model_paths=paths, stream_use_case=stream)

    @classmethod
    def from_model_paths(
        cls,
        model_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        peak_threshold: float = 0.2,
        integral_refinement: bool | str | None = True,
        integral_patch_size: int = 5,
        batch_size: int = 4,
        *,
        loader: ModelLoader | None = None,
        resizer: ImageResizer | None = None,
        labels_store: LabelsStore | None = None,
        open_video: VideoOpener | None = None,
        tracker_factory: TrackerFactory | None = None,
        progress: ProgressReporter | str | None = None,
        adapters: bootstrap.Overrides | None = None,
        **options: Any,
    ) -> Predictor:
        """Load models and wire the real adapters (each one replaceable by keyword).

        Returns the predictor class of the model type (SLEAP 1.x's ``from_model_paths``).

        Args:
            model_paths: One model folder, two for top-down, or an export folder.
            peak_threshold: Smallest confidence-map value that counts as a peak.
            integral_refinement: True (integral), False (none) or ``"local"``.
            integral_patch_size: Patch size (pixels) of integral refinement.
            batch_size: Frames per batch.
            progress: A reporter, or ``"rich"``, ``"json"`` or ``"none"``.
            adapters: :class:`pose.Adapters`: every adapter a caller may bring (the keywords
                above win over its fields).
            **options: ``pose track`` options by flag name (see
                :class:`pose_app.options.TrackOptions`).
        """
        if isinstance(model_paths, (str, os.PathLike)):
            paths = [os.fspath(model_paths)]
        elif isinstance(model_paths, Sequence) and all(
                isinstance(p, (str, os.PathLike)) for p in model_paths):
            paths = [os.fspath(p) for p in model_paths]
        else:
            raise InvalidOptionError(
                f"model_paths must be a path or a list of paths, got {model_paths!r}")
        options = {"peak_threshold": peak_threshold, "integral_refinement": integral_refinement,
                   "integral_patch_size": integral_patch_size, "batch_size": batch_size,
                   **options}
        given: dict[str, Any] = {"loader": loader, "resizer": resizer,
                                 "labels_store": labels_store, "open_video": open_video,
                                 "tracker_factory": tracker_factory}
        chosen = attrs.evolve(adapters or bootstrap.Overrides(),
                              **{k: v for k, v in given.items() if v is not None})
        return cls.from_options(paths, TrackOptions.from_flags(options), adapters=chosen,
                                progress=progress)

    # -- whole inputs -----------------------------------------------------------------------
    def predict(self, data: Any, make_labels: bool = True, *,
                frames: str | Sequence[int] | None = None, output_path: str | None = None,
                return_confmaps: bool = False, video_dataset: str | None = None,
                video_input_format: str = "channels_last",
                output_format: str | Sequence[str] | None = None) -> Any:
        """Predict (and track, if asked) on a whole input.

        Args:
            data: A path (video, ``.slp``, image folder), an ``(N, H, W, C)`` / ``(H, W, C)`` /
                ``(H, W)`` uint8 array, a ``sio.Video``, a ``sio.Labels`` or an iterable of
                frames.
            frames: Frames to process: ``"0-99,200"`` or a list of indices (not for iterables).
            output_path: Also write the predictions here, named for the first format as
                ``pose track -o`` is (``W.slp`` with ``analysis_h5`` writes ``W.analysis.h5``).
            output_format: Format(s) of ``output_path`` (default: the ``output_format``
                option, else ``slp``); :func:`pose.output_formats` lists them.
            make_labels: Return ``sio.Labels`` (default); False returns a list with one dict
                of numpy arrays per batch (keys by model type: see
                :mod:`pose_app.predict.arrays`).
            return_confmaps: With ``make_labels=False``, each batch also holds the networks'
                raw outputs, channels-last: ``confmaps`` (whole-frame models; top-down:
                ``centroid_confmaps``) and ``part_affinity_fields`` (bottom-up).

        Returns:
            ``sio.Labels`` (frame indices ``0..N-1`` for arrays and iterables) or the list of
            per-batch dicts.
        """
        import sleap_io as sio

        from pose_adapters import inmemory as memory

        if not isinstance(make_labels, bool) or not isinstance(return_confmaps, bool):
            bad = "make_labels" if not isinstance(make_labels, bool) else "return_confmaps"
            raise InvalidOptionError(f"{bad} must be True or False")
        spec = _frames_spec(frames)
        formats = ([output_format] if isinstance(output_format, str)
                   else list(output_format or self.options.output.output_format))
        if output_path:
            bootstrap.check_outputs(formats)  # before the run, not after it
        use_case = self.use_case
        if isinstance(data, (str, os.PathLike)):
            name = os.fspath(data)
        elif isinstance(data, sio.Labels):
            use_case = attrs.evolve(use_case, labels_store=memory.InMemoryLabelsStore(data))
            name = memory.LABELS_NAME
        elif isinstance(data, (sio.Video, np.ndarray)):
            source = (memory.video_source(data) if isinstance(data, sio.Video)
                      else memory.ArrayFrameSource(as_frames(data)))
            use_case = attrs.evolve(use_case, open_video=memory.opener_for(source))
            name = str(data.filename) if isinstance(data, sio.Video) else memory.ARRAY_NAME
        elif isinstance(data, Iterable):
            if spec:
                raise InvalidOptionError("frames= cannot select frames of an iterable",
                                         hint="slice the iterable instead")
            return self._predict_iterable(data, make_labels)
        else:
            raise UnsupportedInputError(
                f"cannot predict on a {type(data).__name__}",
                hint="give a path, a uint8 array, a sio.Video, a sio.Labels or frames",
            )
        return self._run(use_case, name, spec, output_path=output_path, formats=formats,
                         make_labels=make_labels, return_confmaps=return_confmaps,
                         video_dataset=video_dataset, video_input_format=video_input_format)

    def _run(self, use_case: PredictUseCase, name: str, spec: str, *,
             output_path: str | None, formats: list[str], make_labels: bool,
             return_confmaps: bool,
             video_dataset: str | None, video_input_format: str) -> Any:
        from pose._raw import raw_batches
        from pose_app.predict import PredictRequest
        from pose_app.predict.arrays import ArrayCollector

        models = self.models
        recorders: list[_RecordingRuntime] = []
        if return_confmaps:
            recorders = [_RecordingRuntime(m.runtime) for m in models]
            models = [LoadedModel(spec=m.spec, runtime=r) for m, r in zip(models, recorders)]
        request = PredictRequest(
            data_path=name, model_paths=self.model_paths, inference=self.inference,
            tracking=self.tracking, selection=self.selection,
            frames_spec=spec or self.selection.frames,
            video_dataset=video_dataset, video_input_format=video_input_format,
        )
        collector = ArrayCollector(then=use_case.sink)
        if not make_labels:
            use_case = attrs.evolve(use_case, sink=collector)
        result = use_case(request, models=models)
        labels = None
        if output_path:
            from pose_app.options import OutputOptions

            target = bootstrap.output_path(output_path, formats[0])
            with bootstrap.output_lock(target):
                bootstrap.write_outputs(result.dataset, target,
                                        OutputOptions(output_format=formats))
        if make_labels:
            from pose_adapters.slp.store import labels_from_dataset

            labels = labels_from_dataset(result.dataset)
        if make_labels:
            return labels
        return raw_batches(result, collector, self.inference.batch_size,
                           [r.outputs for r in recorders])

    def _predict_iterable(self, data: Iterable[Any], make_labels: bool) -> Any:
        from pose._raw import raw_batches
        from pose_adapters.slp.store import labels_from_dataset
        from pose_app.ports.stream import IterableStream
        from pose_app.predict import PredictResult
        from pose_app.predict.arrays import ArrayCollector

        stream = self.stream_use_case
        collector = ArrayCollector(then=stream.sink)
        if not make_labels:
            stream = attrs.evolve(stream, sink=collector)
        done = stream(self._stream_request(None, GENERATOR_NAME), IterableStream(data),
                      self.models)
        if make_labels:
            return labels_from_dataset(done.dataset)
        result = PredictResult(dataset=done.dataset, frames_processed=done.frames_processed,
                               frames_skipped=[], seconds=done.seconds,
                               model_type=done.model_type)
        return raw_batches(result, collector, self.inference.batch_size, [])

    def export_model(self, save_path: str | os.PathLike[str], **kwargs: Any) -> str:
        """Write the loaded models as a ``pose export`` folder (``format="onnx"``,
        ``"tensorrt"`` or ``"both"``; SLEAP 1.x's ``signatures``/``save_traces``/… are
        accepted and unused). Returns the folder."""
        from pose._export import export_model

        return export_model(self, save_path, **kwargs)

    def run_stream(self, frames: FrameStream, *, output_path: str | None = None,
                   source_name: str = GENERATOR_NAME) -> StreamResult:
        """Predict (and track) on a live source until it ends or the stop token is set.

        Every frame's predictions go to the adapters' ``sink`` as soon as they are made; the
        whole run (tracker post-processing, ``no_empty_frames``) is returned and, with
        ``output_path``, written by the adapters' ``writer``.

        Args:
            frames: Any :class:`pose_app.ports.stream.FrameStream` (a camera SDK wrapper, a
                generator in ``IterableStream``); it is closed at the end.
            source_name: The video name the output records.
        """
        return self.stream_use_case(self._stream_request(output_path, source_name), frames,
                                    self.models)

    def _stream_request(self, output_path: str | None, source_name: str) -> Any:
        from pose_app.stream import StreamRequest

        return StreamRequest(
            source_name=source_name, inference=self.inference, tracking=self.tracking,
            selection=self.selection, model_paths=self.model_paths, output_path=output_path,
            output_format=self.options.output.primary_format)

    # -- streams and single frames ----------------------------------------------------------
    def _new_session(self) -> RealtimeSession:
        return self.stream_use_case.session(self.models, self.inference, self.tracking)

    @property
    def session(self) -> RealtimeSession:
        """The synchronous session behind :meth:`predict_frame` / :meth:`predict_streaming`."""
        if self._session is None:
            self._session = self._new_session()
        return self._session

    def predict_streaming(self, data: Any) -> Iterator[Any]:
        """One ``sio.LabeledFrame`` per input frame, in order, as soon as it is predicted.

        Memory does not depend on the number of frames (one batch is held at a time), so
        ``data`` may be an unbounded generator. Arrays, ``sio.Video`` and paths are read frame
        by frame. Tracking (online trackers) continues the state of :meth:`predict_frame`.
        """
        session = self.session
        for idx, instances in session.stream(_frames_of(data)):
            yield self._labeled_frame(idx, instances)

    def predict_frame(self, image: Any) -> Any:
        """Poses of one frame (``(H, W, C)`` or ``(H, W)`` uint8) as a ``sio.LabeledFrame``.

        Runs on the calling thread (no queues); the tracker's identities carry over to the next
        call until :meth:`reset`. Frame indices count up from 0.
        """
        session = self.session
        idx = session.next_index
        return self._labeled_frame(idx, session.predict_frame(image))

    def reset(self) -> None:
        """Start over: new tracker state, frame indices from 0."""
        if self._session is not None:
            self._session.reset()
        self._tracks = {}

    def _labeled_frame(self, idx: int, instances: Sequence[Any]) -> Any:
        import sleap_io as sio

        from pose_adapters.slp.store import skeleton_to_sio

        if self._skeleton is None:
            self._skeleton = skeleton_to_sio(self.session.stage.output_skeleton)
            self._video = sio.Video(filename=GENERATOR_NAME, open_backend=False)
        out = []
        for inst in instances:
            track = None
            if inst.track is not None:
                track = self._tracks.get(id(inst.track))
                if track is None:
                    track = self._tracks[id(inst.track)] = sio.Track(name=inst.track.name)
            out.append(sio.PredictedInstance.from_numpy(
                points_data=np.asarray(inst.points, dtype=np.float64), skeleton=self._skeleton,
                point_scores=np.asarray(inst.point_scores, dtype=np.float64),
                score=float(inst.score), track=track, tracking_score=float(inst.tracking_score),
            ))
        return sio.LabeledFrame(video=self._video, frame_idx=int(idx), instances=out)


def _frames_spec(frames: str | Sequence[int] | None) -> str:
    if frames is None:
        return ""
    if isinstance(frames, str):
        return frames
    return ",".join(str(int(i)) for i in frames)


def _frames_of(data: Any) -> Iterator[Any]:
    """Frames of any input, one at a time."""
    import sleap_io as sio

    if isinstance(data, np.ndarray):
        yield from as_frames(data)
        return
    if isinstance(data, (str, os.PathLike, sio.Video)):
        from pose_adapters import inmemory as memory
        from pose_adapters.video import open_video_file

        src = (memory.video_source(data) if isinstance(data, sio.Video)
               else open_video_file(os.fspath(data)))
        try:
            for _, frame in src.iter_frames(range(src.n_frames)):
                if frame is not None:
                    yield frame
        finally:
            src.close()
        return
    yield from data
