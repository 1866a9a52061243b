"""The per-frame step of a prediction run, on the pipeline's post-processing thread.

For each finished frame, in order: restore it from the persisted record (resumed frames) or
persist it, count it if undecodable, reset the tracker when a new video starts, track it,
keep it, and report it.
"""

from __future__ import annotations

import attrs

from pose_app.pipeline import FrameResult
from pose_app.ports.chunks import FrameRecord
from pose_app.ports.progress import ProgressReporter
from pose_app.ports.stream import FrameSink
from pose_app.ports.tracking import Tracker
from pose_app.predict.records import ChunkWriter, frame_record, instances_from_record
from pose_app.stages import FrameJob
from pose_domain.instance import Instance, LabeledFrame, Track


@attrs.define(eq=False)
class CollectedFrame:
    """A finished frame: its job, its (tracked) predictions and whether it was decoded."""

    job: FrameJob
    instances: list[Instance]
    decoded: bool = True


@attrs.define(eq=False, kw_only=True)
class FrameCollector:
    """Called once per finished frame (in frame order); keeps what the output needs.

    Attributes:
        stored: Records restored for ``--resume``, by ``(video_index, frame_idx)``.
        stage_tracks: The stage's own tracks (multi-class), which record track ids index.
        chunks: Where new records go.
        tracker: The tracker, or None.
        track_empty: Call the tracker on frames without instances too (stages that keep
            empty frames, as the reference does).
        track_images: Hand the decoded frame to the tracker (optical flow).
        sink: Gets every frame's predictions (tracked), in frame order, as they are made.
        progress: Told the frame index, then advanced by one, per frame.
    """

    stored: dict[tuple[int, int], FrameRecord]
    stage_tracks: list[Track]
    chunks: ChunkWriter
    tracker: Tracker | None
    track_empty: bool
    track_images: bool
    sink: FrameSink | None
    progress: ProgressReporter
    frames: list[CollectedFrame] = attrs.field(factory=list)
    skipped: list[tuple[int, int]] = attrs.field(factory=list)
    resumed: int = 0

    def __call__(self, res: FrameResult) -> None:
        job = res.job
        self._restore_or_persist(res)
        if not res.decoded:
            self.skipped.append((job.video_index, job.frame_idx))
        instances = self._track(res)
        job.image = None  # release the frame early
        frame = CollectedFrame(job=job, instances=instances, decoded=res.decoded)
        self.frames.append(frame)
        if self.sink is not None:
            self.sink(LabeledFrame(job.video_index, job.frame_idx, list(instances)))
        self.progress.at_frame(job.frame_idx)
        self.progress.advance(1)

    @property
    def last_frame_idx(self) -> int | None:
        return self.frames[-1].job.frame_idx if self.frames else None

    def _restore_or_persist(self, res: FrameResult) -> None:
        job = res.job
        if job.resumed:
            self.resumed += 1
            rec = self.stored[(job.video_index, job.frame_idx)]
            res.decoded = rec.decoded
            res.instances = instances_from_record(rec, self.stage_tracks)
        else:
            self.chunks.add(frame_record(res, self.stage_tracks))

    def _track(self, res: FrameResult) -> list[Instance]:
        instances: list[Instance] = list(res.instances)
        tracker = self.tracker
        if tracker is None:
            return instances
        job = res.job
        if self.frames and self.frames[-1].job.video_index != job.video_index:
            tracker.reset()  # identities do not carry across videos (ADR-0031)
        if instances or self.track_empty:
            image = job.image if self.track_images else None
            instances = list(tracker.track(instances, job.frame_idx, image=image))
        return instances


def assemble(frames: list[CollectedFrame], keeps_empty_frames: bool) -> list[LabeledFrame]:
    """Labeled frames in ``(video, frame)`` order: input instances kept, then predictions;
    frames with neither are dropped unless the stage keeps empty frames."""
    out: list[LabeledFrame] = []
    for f in frames:
        insts: list[Instance] = list(f.job.keep_instances) + list(f.instances)
        if not f.instances and not keeps_empty_frames and not f.job.keep_instances:
            continue
        out.append(LabeledFrame(f.job.video_index, f.job.frame_idx, insts))
    out.sort(key=lambda f: (f.video_index, f.frame_idx))
    return out
