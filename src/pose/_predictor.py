"""``pose.load_model`` and :class:`Predictor`: paths, arrays, videos, labels and streams."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from pose_app.options import TrackOptions
from pose_app.realtime import RealtimeSession, as_frames
from pose_domain.errors import InvalidOptionError, UnsupportedInputError
from pose_domain.instance import LabeledFrame

#: SLEAP 1.x tracker names → ``pose track`` flags.
TRACKERS: dict[str, dict[str, Any]] = {
    "simple": {"tracking": True, "tracker": "online", "use_flow": False},
    "flow": {"tracking": True, "tracker": "online", "use_flow": True},
    "global": {"tracking": True, "tracker": "global"},
}
GENERATOR_NAME = "<frames>"


def sleap_flags(
    *,
    batch_size: int,
    peak_threshold: float,
    refinement: str | bool | None,
    tracker: str | None,
    tracker_window: int,
    tracker_max_instances: int | None,
    progress_reporting: str,
    device: str,
    runtime: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """``load_model``'s SLEAP 1.x keywords as ``pose track`` flags (``options`` win).

    ``tracker_window`` is the number of past frames matched against (``tracking_window_size``);
    ``tracker_max_instances`` keeps at most that many instances per frame after tracking and
    joins single track breaks (SLEAP 1.x's ``clean_instance_count`` with
    ``post_connect_single_breaks``).
    """
    flags: dict[str, Any] = {
        "batch_size": batch_size,
        "peak_threshold": peak_threshold,
        "integral_refinement": refinement,
        "progress": progress_reporting,
        "device": device,
        "runtime": runtime,
    }
    if tracker is not None:
        if tracker not in TRACKERS:
            raise InvalidOptionError(
                f"unknown tracker {tracker!r}",
                hint="use None, 'simple', 'flow' or 'global'",
            )
        flags.update(TRACKERS[tracker])
        flags["tracking_window_size"] = tracker_window
        if tracker_max_instances is not None:
            flags["tracking_clean_instance_count"] = tracker_max_instances
            flags["tracking_target_instance_count"] = tracker_max_instances
            flags["post_connect_single_breaks"] = True
    return {**flags, **options}


def load_model(
    model_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    batch_size: int = 4,
    peak_threshold: float = 0.2,
    refinement: str | bool | None = "integral",
    tracker: str | None = None,
    tracker_window: int = 5,
    tracker_max_instances: int | None = None,
    progress_reporting: str = "rich",
    device: str = "auto",
    runtime: str = "auto",
    **options: Any,
) -> Predictor:
    """Load one model folder, a top-down pair, or a ``pose export`` folder.

    Args:
        model_paths: A folder, or a list of two (centroid + centered instance).
        refinement: ``"integral"`` (default), ``"local"`` (quarter-pixel), None/``"none"``;
            ``True`` = integral, ``False`` = none.
        tracker: None, ``"simple"`` (online tracker), ``"flow"`` (with optical flow) or
            ``"global"`` (offline; only :meth:`Predictor.predict` sees the whole video).
        progress_reporting: ``"rich"``, ``"json"`` or ``"none"``.
        **options: Any ``pose track`` option by flag name (``max_instances=2``…).

    Raises:
        InvalidOptionError: An unknown option name or a refused value.
    """
    from pose_cli.api import Predictor as PathPredictor

    flags = sleap_flags(batch_size=batch_size, peak_threshold=peak_threshold,
                        refinement=refinement, tracker=tracker, tracker_window=tracker_window,
                        tracker_max_instances=tracker_max_instances,
                        progress_reporting=progress_reporting, device=device, runtime=runtime,
                        options=options)
    paths = ([os.fspath(model_paths)] if isinstance(model_paths, (str, os.PathLike))
             else [os.fspath(p) for p in model_paths])
    opts = TrackOptions.from_flags(flags)
    progress = flags.pop("progress")
    inner = PathPredictor.from_model_paths(paths, progress=progress, **flags)
    return Predictor(inner, opts)


class Predictor:
    """Loaded models: predict on paths, arrays, ``sio.Video``, ``sio.Labels`` or streams.

    Build it with :func:`load_model`. :meth:`predict` runs the same use case as ``pose track``;
    :meth:`predict_streaming` and :meth:`predict_frame` run the stages synchronously on the
    calling thread (one :class:`pose_app.realtime.RealtimeSession`, whose tracker state they
    share until :meth:`reset`).
    """

    def __init__(self, inner: Any, options: TrackOptions) -> None:
        self.inner = inner
        self.options = options
        self._session: RealtimeSession | None = None
        self._skeleton: Any = None
        self._video: Any = None
        self._tracks: dict[int, Any] = {}

    # -- whole inputs -----------------------------------------------------------------------
    def predict(self, data: Any, *, make_labels: bool = True,
                frames: str | Sequence[int] | None = None) -> Any:
        """Predict (and track, if asked) on a whole input.

        Args:
            data: A path (video, ``.slp``, image folder), an ``(N, H, W, C)`` / ``(H, W, C)`` /
                ``(H, W)`` uint8 array, a ``sio.Video``, a ``sio.Labels`` or an iterable of
                frames.
            make_labels: Return ``sio.Labels``; False returns arrays
                (see :func:`pose_cli.api.result_arrays`).
            frames: Frames to process: ``"0-99,200"`` or a list of indices (not for iterables).

        Returns:
            ``sio.Labels`` (frame indices ``0..N-1`` for arrays and iterables) or a dict of
            arrays.
        """
        import sleap_io as sio

        from pose_adapters import inmemory as memory
        from pose_cli import bootstrap

        spec = _frames_spec(frames)
        if isinstance(data, (str, os.PathLike)):
            return self.inner.predict(os.fspath(data), frames=spec, make_labels=make_labels)
        if isinstance(data, sio.Labels):
            overrides = bootstrap.Overrides(labels_store=memory.InMemoryLabelsStore(data))
            return self._run(memory.LABELS_NAME, overrides, spec, make_labels)
        if isinstance(data, sio.Video):
            source = memory.video_source(data)
            name = str(data.filename)
        elif isinstance(data, np.ndarray):
            source = memory.ArrayFrameSource(as_frames(data))
            name = memory.ARRAY_NAME
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
        overrides = bootstrap.Overrides(open_video=memory.opener_for(source))
        return self._run(name, overrides, spec, make_labels)

    def _run(self, name: str, overrides: Any, spec: str, make_labels: bool) -> Any:
        from pose_adapters.slp.store import labels_from_dataset
        from pose_app.predict import PredictRequest
        from pose_cli import bootstrap
        from pose_cli.api import result_arrays

        use_case = bootstrap.build_predict_use_case(overrides, progress=self.inner.use_case
                                                    .progress)
        request = PredictRequest(
            data_path=name, model_paths=self.inner.model_paths, inference=self.inner.inference,
            tracking=self.inner.tracking, selection=self.inner.selection,
            frames_spec=spec or self.inner.selection.frames,
        )
        result = use_case(request, models=self.inner.models)
        return labels_from_dataset(result.dataset) if make_labels else result_arrays(result)

    def _predict_iterable(self, data: Iterable[Any], make_labels: bool) -> Any:
        from pose_adapters.slp.store import labels_from_dataset
        from pose_app.dataset import Dataset, VideoRef
        from pose_app.predict import PredictResult
        from pose_cli.api import result_arrays

        start = time.time()
        session = self._new_session()
        kept: list[LabeledFrame] = []
        count = 0
        for idx, instances in session.stream(data):
            count += 1
            lf = session.labeled_frame(idx, instances)
            if lf is not None:
                kept.append(lf)
        kept = session.finalize(kept)
        if self.options.selection.no_empty_frames:
            kept = [f for f in kept if f.instances]
        video = VideoRef(filename=GENERATOR_NAME, n_frames=count)
        dataset = Dataset(videos=[video], skeleton=session.stage.output_skeleton, frames=kept,
                          tracks=session.tracks, source_path=GENERATOR_NAME)
        if make_labels:
            return labels_from_dataset(dataset)
        return result_arrays(PredictResult(dataset=dataset, frames_processed=count,
                                           frames_skipped=[], seconds=time.time() - start,
                                           model_type=type(session.stage).__name__))

    # -- streams and single frames ----------------------------------------------------------
    def _new_session(self) -> RealtimeSession:
        from pose_cli import bootstrap

        use_case = self.inner.use_case
        return RealtimeSession.from_models(
            self.inner.models, self.inner.inference, use_case.resizer,
            tracking=self.inner.tracking,
            tracker_factory=use_case.tracker_factory or bootstrap.tracker_factory,
        )

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
