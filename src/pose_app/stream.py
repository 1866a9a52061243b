"""StreamUseCase: predict on a live stream of frames (a camera, a stream URL, a camera SDK, a
generator) until it ends or a stop is requested, then finish the dataset and write it
(ADR-0137, ADR-0141).

Frames go through :class:`pose_app.realtime.RealtimeSession` on the calling thread (a live
source cannot be seeked or counted, which :class:`pose_app.predict.PredictUseCase` needs); every
frame's predictions go to the sink as soon as they are made; the output is written once at the
end, also after a stop or Ctrl-C.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from pose_app.dataset import Dataset, VideoRef
from pose_app.options import FrameSelection, InferenceOptions, TrackingOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.output import DatasetWriter
from pose_app.ports.runtime import ImageResizer
from pose_app.ports.stop import NeverStop, StopToken
from pose_app.ports.stream import FrameSink, FrameStream
from pose_app.ports.tracking import TrackerFactory
from pose_app.predict.finish import finish_dataset
from pose_app.realtime import RealtimeSession
from pose_domain.errors import InvalidOptionError
from pose_domain.instance import LabeledFrame


@attrs.frozen(kw_only=True)
class StreamRequest:
    """One stream to predict on.

    Attributes:
        source_name: What the output records as the video (a camera index, a URL…).
        model_paths: For the provenance.
        output_path: Write the dataset here at the end (None: return it only).
        output_format: ``slp`` or ``analysis_h5`` (the writer's first format).
    """

    source_name: str
    inference: InferenceOptions
    tracking: TrackingOptions | None = None
    selection: FrameSelection = attrs.field(factory=FrameSelection)
    model_paths: tuple[str, ...] = ()
    output_path: str | None = None
    output_format: str = "slp"


@attrs.define(kw_only=True)
class StreamResult:
    dataset: Dataset
    frames_processed: int
    seconds: float
    interrupted: bool
    model_type: str
    output_path: str | None = None

    @property
    def fps(self) -> float:
        return self.frames_processed / max(self.seconds, 1e-9)


@attrs.frozen(kw_only=True)
class StreamUseCase:
    """Predict (and track) on a :class:`FrameStream`.

    Attributes:
        resizer: Antialiased uint8 resize (reference-exact).
        tracker_factory: Builds the tracker when the request asks for tracking.
        writer: Writes the dataset to ``request.output_path``.
        sink: Gets every frame's predictions as soon as they are made.
        stop: Polled before each frame; once set, reading ends and what was predicted is
            kept (and written).
    """

    resizer: ImageResizer
    tracker_factory: TrackerFactory | None = None
    writer: DatasetWriter | None = None
    sink: FrameSink | None = None
    stop: StopToken = attrs.field(factory=NeverStop)

    def session(self, models: Sequence[LoadedModel], inference: InferenceOptions,
                tracking: TrackingOptions | None) -> RealtimeSession:
        """A synchronous session on ``models`` (what :meth:`__call__` runs frames through)."""
        return RealtimeSession.from_models(models, inference, self.resizer, tracking=tracking,
                                           tracker_factory=self.tracker_factory)

    def __call__(self, request: StreamRequest, frames: FrameStream,
                 models: Sequence[LoadedModel]) -> StreamResult:
        """Run ``frames`` to their end (or a stop / Ctrl-C); ``frames`` is closed after."""
        out = request.output_path
        if out is not None and self.writer is None:
            raise InvalidOptionError(f"cannot write {out}: this use case has no writer",
                                     hint="build it with a writer")
        session = self.session(models, request.inference, request.tracking)
        kept: list[LabeledFrame] = []
        shape: list[tuple[int, ...]] = []
        count = 0
        start = time.time()
        self.stop.polled()  # the first signal ends reading, like the end of the stream
        interrupted = False
        try:
            for idx, instances in session.stream(self._read(frames, shape)):
                count += 1
                if self.sink is not None:
                    self.sink(LabeledFrame(0, idx, list(instances)))
                lf = session.labeled_frame(idx, instances)
                if lf is not None:
                    kept.append(lf)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            frames.close()
        interrupted = interrupted or self.stop.is_set()
        seconds = time.time() - start
        h, w, c = (shape[0] + (1,))[:3] if shape else (0, 0, 0)
        dataset = finish_dataset(
            kept, stage=session.stage, tracker=session.tracker,
            drop_empty=request.selection.no_empty_frames,
            videos=[VideoRef(filename=request.source_name, n_frames=count, height=h, width=w,
                             channels=c)],
            source_path=request.source_name)
        dataset.provenance = _provenance(request, count, interrupted, seconds)
        result = StreamResult(dataset=dataset, frames_processed=count, seconds=seconds,
                              interrupted=interrupted, model_type=session.stage.model_type)
        if out is not None and self.writer is not None:
            self.writer.write(dataset, out, request.output_format)
            result.output_path = out
        return result

    def _read(self, frames: FrameStream, shape: list[tuple[int, ...]]) -> Iterator[np.ndarray]:
        for frame in frames:
            if self.stop.is_set():
                return
            if not shape:
                shape.append(tuple(np.shape(frame)))
            yield frame


def _provenance(request: StreamRequest, count: int, interrupted: bool,
                seconds: float) -> dict[str, Any]:
    return {
        "source_file": request.source_name,
        "model_paths": list(request.model_paths),
        "frame_selection": {"method": "live", "frames_processed": count,
                            "interrupted": interrupted},
        "inference_runtime_seconds": round(seconds, 6),
    }
