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
from typing import TYPE_CHECKING

import numpy as np

from pose import bootstrap
from pose_app.dataset import Dataset, VideoRef
from pose_app.options import TrackOptions
from pose_app.realtime import RealtimeSession
from pose_cli.inputs import check_output_path
from pose_cli.signals import SignalStop
from pose_domain.instance import LabeledFrame

if TYPE_CHECKING:
    from pose_adapters.video.live import CaptureOpener

log = logging.getLogger("pose")


def live_output_path(source: str) -> str:
    """``camera<N>.predictions.slp`` for a camera, ``<stream name>.predictions.slp`` for a URL."""
    if source.strip().isdigit():
        return f"camera{int(source)}.predictions.slp"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", source.split("://", 1)[-1]).strip("_.") or "stream"
    return f"{stem[:80]}.predictions.slp"


def run_live(source: str, model_paths: list[str], options: TrackOptions, *,
             open_capture: CaptureOpener | None = None, stop: SignalStop | None = None) -> int:
    """Predict (and track) on a camera or stream; returns the exit code (0).

    ``stop`` (set by the first SIGINT / SIGTERM of ``pose track``) ends reading; what was
    predicted is written.
    """
    out = options.output.output_path or live_output_path(source)
    check_output_path(out)
    use_case = bootstrap.build_predict_use_case()
    models = use_case.load_models(tuple(model_paths), options.inference)
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
            if stop is not None and stop.is_set():
                return
            if not shape:
                shape.append(tuple(frame.shape))
            yield frame

    stream = bootstrap.live_source(source, options.input.max_frames, open_capture)
    if stop is not None:
        stop.cooperative = True  # the first signal ends reading, like the end of the stream
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
    interrupted = interrupted or (stop is not None and stop.is_set())
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
    bootstrap.write_outputs(dataset, out, options.output)
    note = " (stopped by Ctrl-C)" if interrupted else ""
    print(f"pose: wrote {out} ({count} live frames, {count / max(seconds, 1e-9):.1f} FPS{note})",
          file=sys.stderr)
    return 0
