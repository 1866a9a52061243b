"""``pose track -i 0`` / ``-i rtsp://…``: predict on a live source until it ends, ``--max_frames``
or Ctrl-C, then write everything predicted (ADR-0137).

Frames go through :class:`pose_app.realtime.RealtimeSession` on this thread (a live source
cannot be seeked or counted, which the file path's use case needs); the output is written once
at the end, also after Ctrl-C.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterator

import numpy as np

from pose_adapters.video.live import CaptureOpener, live_frames
from pose_app.dataset import Dataset, VideoRef
from pose_app.options import TrackOptions
from pose_app.predict import PredictRequest
from pose_app.realtime import RealtimeSession
from pose_cli import bootstrap
from pose_cli.inputs import check_output_path
from pose_domain.instance import LabeledFrame

log = logging.getLogger("pose")


def live_output_path(source: str) -> str:
    """``camera<N>.predictions.slp`` for a camera, ``<stream name>.predictions.slp`` for a URL."""
    if source.strip().isdigit():
        return f"camera{int(source)}.predictions.slp"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", source.split("://", 1)[-1]).strip("_.") or "stream"
    return f"{stem[:80]}.predictions.slp"


def run_live(source: str, model_paths: list[str], options: TrackOptions, *,
             open_capture: CaptureOpener | None = None) -> int:
    """Predict (and track) on a camera or stream; returns the exit code (0)."""
    out = options.output.output_path or live_output_path(source)
    check_output_path(out)
    use_case = bootstrap.build_predict_use_case()
    request = PredictRequest(data_path=source, model_paths=tuple(model_paths),
                             inference=options.inference)
    models = use_case.load_models(request)
    session = RealtimeSession.from_models(
        models, options.inference, use_case.resizer, tracking=options.tracking_or_none(),
        tracker_factory=use_case.tracker_factory,
    )
    frames: list[LabeledFrame] = []
    shape: list[tuple[int, ...]] = []
    count = 0
    start = time.time()

    def remember(stream: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        for frame in stream:
            if not shape:
                shape.append(tuple(frame.shape))
            yield frame

    stream = live_frames(source, max_frames=options.input.max_frames, open_capture=open_capture)
    interrupted = False
    try:
        for idx, instances in session.stream(remember(stream)):
            count += 1
            lf = session.labeled_frame(idx, instances)
            if lf is not None:
                frames.append(lf)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        stream.close()
    seconds = time.time() - start
    frames = session.finalize(frames)
    if options.selection.no_empty_frames:
        frames = [f for f in frames if f.instances]
    h, w, c = (shape[0] + (1,))[:3] if shape else (0, 0, 0)
    dataset = Dataset(
        videos=[VideoRef(filename=source, n_frames=count, height=h, width=w, channels=c)],
        skeleton=session.stage.output_skeleton, frames=frames, tracks=session.tracks,
        source_path=source,
        provenance={
            "source_file": source,
            "model_paths": list(model_paths),
            "frame_selection": {"method": "live", "frames_processed": count,
                                "interrupted": interrupted},
            "inference_runtime_seconds": round(seconds, 6),
        },
    )
    bootstrap.write_output(dataset, out, options.output.output_format)
    note = " (stopped by Ctrl-C)" if interrupted else ""
    print(f"pose: wrote {out} ({count} live frames, {count / max(seconds, 1e-9):.1f} FPS{note})",
          file=sys.stderr)
    return 0
