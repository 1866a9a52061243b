"""Identity tracking use cases: the tracker factory and track-only mode (re-track a ``.slp``).

``build_tracker`` turns :class:`pose_app.options.TrackingOptions` into a domain tracker, with
the reference's defaulting rules (``--max_tracks`` forces ``local_queues``; post-processing
needs a target count that defaults to ``max_instances``). The prediction pipeline calls it too.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable
from typing import Any

import attrs

from pose_app.dataset import Dataset, VideoRef
from pose_app.options import InferenceOptions, TrackingOptions
from pose_app.outputs import default_output_path
from pose_app.ports.flow import OpticalFlow
from pose_app.ports.labels import LabelsStore
from pose_app.ports.locks import NoLocks, OutputLocks
from pose_app.ports.progress import NullProgress, ProgressReporter
from pose_app.ports.tracking import Tracker
from pose_domain.errors import InvalidOptionError, UnsupportedInputError
from pose_domain.filters import filter_instances
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance
from pose_domain.tracking import GlobalConfig, GlobalTracker, OnlineConfig, OnlineTracker
from pose_domain.tracking.kalman import KalmanBackend, KalmanConfig, KalmanTracker


def _target_count(
    options: TrackingOptions, max_instances: int | None, mode: str
) -> int | None:
    """The target instance count after the reference's defaulting rules (parity notes §5.8).

    ``--post_connect_single_breaks``, pre-cull and Kalman need one; it defaults to
    ``--max_instances``. ``track`` (legacy) refuses when neither is set; ``predict`` lets
    Kalman fall back to ``--max_tracks`` and refuses pcsb without a target.
    """
    target = options.tracking_target_instance_count
    needs = (
        options.post_connect_single_breaks
        or bool(options.tracking_pre_cull_to_target)
        or options.use_kalman
    )
    if target is None and needs:
        target = max_instances
    if target is None and needs:
        kalman_ok = mode == "predict" and options.use_kalman and options.max_tracks
        if options.post_connect_single_breaks or not kalman_ok:
            flag = (
                "--post_connect_single_breaks" if options.post_connect_single_breaks
                else "--use_kalman" if options.use_kalman
                else "--tracking_pre_cull_to_target"
            )
            raise InvalidOptionError(
                f"{flag} needs a target instance count",
                hint="set --tracking_target_instance_count or --max_instances",
            )
    return target


def online_config(
    options: TrackingOptions,
    *,
    max_instances: int | None,
    track_only: bool = False,
    mode: str | None = None,
) -> OnlineConfig:
    """The domain settings for ``options`` after the reference's defaulting rules.

    Args:
        options: Tracking flags.
        max_instances: ``--max_instances``.
        track_only: Track-only mode (pcsb also defaults ``max_tracks``).
        mode: ``track`` (legacy command) or ``predict`` (the unified command: pcsb also
            defaults ``max_tracks`` to ``--max_instances``); default ``options.defaults``.

    Raises:
        InvalidOptionError: A post-processing option without a target count, Kalman with
            optical flow, or ``--features image``.
    """
    if options.features == "image":
        raise InvalidOptionError(
            "--features image is not implemented (nor in sleap-nn)",
            hint="use keypoints, centroids or bboxes",
        )
    if options.use_kalman and options.use_flow:
        raise InvalidOptionError(
            "--use_kalman and --use_flow exclude each other", hint="choose one motion model"
        )
    mode = mode or options.defaults
    options = options.resolved(None)  # still auto: no skeleton known here
    max_tracks = options.max_tracks
    target = _target_count(options, max_instances, mode)
    candidates = options.candidates_method
    if mode == "predict" and max_tracks is not None and candidates == "fixed_window":
        candidates = "local_queues"  # decided on the explicit --max_tracks only
    if options.post_connect_single_breaks and max_tracks is None and (
        track_only or mode == "predict"
    ):
        max_tracks = max_instances
    if max_tracks is not None and candidates == "fixed_window" and mode != "predict":
        candidates = "local_queues"  # the reference's silent switch
    oks_stddev = options.oks_stddev
    if oks_stddev is None:
        kf_points = options.use_kalman and options.kf_track_features == "keypoints"
        oks_stddev = 0.1 if kf_points else 0.025
    return OnlineConfig(
        window_size=options.tracking_window_size,
        min_new_track_points=options.min_new_track_points,
        candidates_method=candidates,
        min_match_points=options.min_match_points,
        features=options.features,
        scoring_method=options.scoring_method,
        scoring_reduction=options.scoring_reduction,
        robust_best_instance=options.robust_best_instance,
        matching_method=options.track_matching_method,
        max_tracks=max_tracks,
        oks_stddev=oks_stddev,
        connect_single_breaks=options.post_connect_single_breaks,
        target_count=target,
        clean_instance_count=options.tracking_clean_instance_count,
        clean_iou_threshold=options.tracking_clean_iou_threshold,
        pre_cull=bool(options.tracking_pre_cull_to_target),
        pre_cull_iou_threshold=options.tracking_pre_cull_iou_threshold,
    )


def build_tracker(
    options: TrackingOptions,
    *,
    max_instances: int | None = None,
    flow: OpticalFlow | None = None,
    track_only: bool = False,
    kalman_backend: KalmanBackend | None = None,
) -> Tracker:
    """A tracker for ``options``: the reference-exact online one or the offline global one.

    Args:
        options: Tracking flags.
        max_instances: ``--max_instances``; the default target / number of identities.
        flow: Optical flow used when ``options.use_flow`` (ignored otherwise).
        track_only: Track-only mode (post-processing also defaults ``max_tracks``).
        kalman_backend: Filter arithmetic for ``options.use_kalman``.
    """
    if options.tracker == "global":
        n_ids = (
            options.max_tracks or options.tracking_target_instance_count or max_instances
        )
        return GlobalTracker(GlobalConfig(n_identities=n_ids))
    cfg = online_config(options, max_instances=max_instances, track_only=track_only)
    if options.use_kalman:
        if kalman_backend is None:
            raise InvalidOptionError("--use_kalman needs a Kalman backend (pykalman)")
        kcfg = KalmanConfig(
            track_features=options.kf_track_features,
            init_frame_count=options.kf_init_frame_count,
            node_indices=options.kf_nodes,
            reset_gap_size=options.kf_reset_gap_size,
        )
        return KalmanTracker(cfg, kcfg, kalman_backend)
    return OnlineTracker(cfg, flow=flow if options.use_flow else None)


# ------------------------------------------------------------------------------ track-only
@attrs.frozen(kw_only=True)
class TrackOnlyRequest:
    """Re-track the instances of a ``.slp``.

    Attributes:
        input_path: The ``.slp`` to read.
        output_path: Where to write (None: ``<input without suffix>.predictions.slp``).
        tracking: Tracking flags.
        frames: Frame *indices* to keep (None: all).
        video_index: Restrict to one video of the file.
        max_instances: ``--max_instances`` (default target / identity count).
        inference: Carries the ``filter_*`` flags applied before tracking.
        cli_args: Recorded in the provenance.
    """

    input_path: str
    output_path: str | None = None
    tracking: TrackingOptions = attrs.field(factory=TrackingOptions)
    frames: tuple[int, ...] | None = None
    video_index: int | None = None
    max_instances: int | None = None
    inference: InferenceOptions = attrs.field(factory=InferenceOptions)
    cli_args: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class TrackOnlyResult:
    output_path: str
    frames_processed: int
    n_tracks: int
    seconds: float


def _locate_video(video: VideoRef, labels_path: str) -> VideoRef:
    """The video as stored, or a file of the same name next to the labels when it moved."""
    if os.path.exists(video.filename):
        return video
    beside = os.path.join(os.path.dirname(os.path.abspath(labels_path)),
                          os.path.basename(video.filename))
    if os.path.exists(beside):
        return attrs.evolve(video, filename=beside, handle=None)
    return video


FilterFn = Callable[[list[PredictedInstance], InferenceOptions], list[PredictedInstance]]


def _default_filter(
    instances: list[PredictedInstance], opts: InferenceOptions
) -> list[PredictedInstance]:
    """The post-inference filters (legacy semantics, parity notes §3.12) on one frame's predictions."""
    from pose_app.stages import filter_params

    params = attrs.evolve(filter_params(opts), mean_over_visible=True)
    return list(filter_instances(instances, params))


@attrs.define(kw_only=True)
class TrackOnlyUseCase:
    """Track-only mode: load a ``.slp``, select frames, filter, track, post-process, save.

    Attributes:
        store: Reads and (atomically) writes ``.slp``.
        flow_factory: Builds the optical flow for ``--use_flow`` from the options.
        progress: Progress reporter.
        versions: Library versions for the provenance (e.g. ``pose_version``).
        filter_fn: The ``filter_*`` step (defaults to ``pose_domain.filters``).
        locks: Holds the output's lock while tracking and writing (ADR-0130).
        kalman_factory: Builds the Kalman backend for ``--use_kalman``.
    """

    store: LabelsStore
    flow_factory: Callable[[TrackingOptions], OpticalFlow] | None = None
    progress: ProgressReporter = attrs.field(factory=NullProgress)
    versions: dict[str, str] = attrs.field(factory=dict)
    filter_fn: FilterFn = _default_filter
    locks: OutputLocks = attrs.field(factory=NoLocks)
    kalman_factory: Callable[[], KalmanBackend] | None = None

    def __call__(self, request: TrackOnlyRequest) -> TrackOnlyResult:
        t0 = time.time()
        started = _dt.datetime.now().isoformat()
        path = request.input_path
        if not path.lower().endswith(".slp"):
            raise UnsupportedInputError(
                f"track-only mode needs a .slp file, got {path}",
                hint="give -m MODEL to predict on a video, or pass a .slp to re-track",
            )
        ds = self.store.load(path)
        videos = list(ds.videos)
        frames = list(ds.frames)
        out_video_name = None
        if request.video_index is not None:
            vi = request.video_index
            if not 0 <= vi < len(videos):
                raise InvalidOptionError(
                    f"--video_index {vi} is out of range: the file has {len(videos)} video(s)",
                    hint=f"use 0-{len(videos) - 1}",
                )
            frames = [
                attrs.evolve(f, video_index=0) for f in frames if f.video_index == vi
            ]
            videos = [videos[vi]]
            out_video_name = videos[0].filename
        frames.sort(key=lambda f: (f.video_index, f.frame_idx))
        if request.frames is not None:
            wanted = set(request.frames)
            frames = [f for f in frames if f.frame_idx in wanted]
        out_path = request.output_path or default_output_path(path, out_video_name)
        with self.locks.hold(out_path):  # one writer per output (ADR-0130)
            return self._track(request, ds, videos, frames, out_path, t0, started)

    def _track(self, request: TrackOnlyRequest, ds: Dataset, videos: list[VideoRef],
               frames: list[LabeledFrame], out_path: str, t0: float,
               started: str) -> TrackOnlyResult:
        path = request.input_path
        opts = request.tracking.resolved(ds.skeleton.n_nodes if ds.skeleton else None)
        flow = None
        sources: dict[int, Any] = {}
        if opts.use_flow and opts.tracker != "global":
            if self.flow_factory is None:
                raise InvalidOptionError("--use_flow needs optical flow, which is not available")
            flow = self.flow_factory(opts)
        kalman = self.kalman_factory() if opts.use_kalman and self.kalman_factory else None
        tracker = build_tracker(
            opts, max_instances=request.max_instances, flow=flow, track_only=True,
            kalman_backend=kalman,
        )
        do_filter = request.inference.filters.any
        self.progress.start(len(frames), "Tracking")
        tracked_frames: list[LabeledFrame] = []
        current_video: int | None = None
        try:
            for fr in frames:
                if current_video is not None and fr.video_index != current_video:
                    tracker.reset()  # one tracker per video (ADR-0031)
                current_video = fr.video_index
                preds = fr.predicted_instances
                if do_filter:
                    preds = self.filter_fn(preds, request.inference)
                image = None
                if flow is not None:
                    if fr.video_index not in sources:
                        ref = _locate_video(videos[fr.video_index], path)
                        sources[fr.video_index] = self.store.open_video(ref)
                    image = sources[fr.video_index].read(fr.frame_idx)
                users = fr.user_instances
                if users:
                    tracked = tracker.track(users, fr.frame_idx, image=image)
                    rest: list[Instance] = [p.with_track(None, p.tracking_score) for p in preds]
                    insts = list(tracked) + rest
                else:
                    insts = list(tracker.track(preds, fr.frame_idx, image=image))
                tracked_frames.append(
                    LabeledFrame(video_index=fr.video_index, frame_idx=fr.frame_idx,
                                 instances=insts)
                )
                self.progress.advance()
        finally:
            self.progress.finish()
            for src in sources.values():
                src.close()
        tracked_frames = tracker.finalize(tracked_frames)
        used = {id(i.track) for f in tracked_frames for i in f.instances if i.track is not None}
        tracks = [t for t in tracker.tracks if id(t) in used]
        ended = _dt.datetime.now().isoformat()
        seconds = time.time() - t0
        provenance: dict[str, Any] = {
            "tracking_start_timestamp": started,
            "tracking_end_timestamp": ended,
            "tracking_runtime_seconds": seconds,
            **self.versions,
            "pipeline_type": "tracking_only",
            "source_file": os.path.abspath(path),
            "input_provenance": dict(ds.provenance),
            "source_labels": os.path.abspath(path),
            "frames_processed": len(frames),
            "tracking_config": attrs.asdict(opts),
        }
        if request.cli_args is not None:
            provenance["cli_args"] = request.cli_args
        out = Dataset(
            videos=videos,
            skeleton=ds.skeleton,
            frames=tracked_frames,
            tracks=tracks,
            suggestions=[],
            provenance=provenance,
            source_path=out_path,
            handle=None,
        )
        self.store.save(out, out_path)
        return TrackOnlyResult(
            output_path=out_path,
            frames_processed=len(frames),
            n_tracks=len(tracks),
            seconds=seconds,
        )
