"""``pose track -i 0`` / ``-i rtsp://…``: predict on a live source until it ends, ``--max_frames``
or Ctrl-C, then write everything predicted (ADR-0137); the work is
:class:`pose_app.stream.StreamUseCase`."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from pose import bootstrap
from pose_app.options import TrackOptions
from pose_app.runs.local import check_output_path
from pose_app.stream import StreamRequest
from pose_cli.signals import SignalStop

if TYPE_CHECKING:
    from pose_adapters.video.live import CaptureOpener


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
    use_case = bootstrap.build_stream_use_case(output=options.output, stop=stop)
    models = bootstrap.load_models(model_paths, options.inference)
    request = StreamRequest(source_name=source, inference=options.inference,
                            tracking=options.tracking_or_none(), selection=options.selection,
                            model_paths=tuple(model_paths), output_path=out,
                            output_format=options.output.primary_format)
    frames = bootstrap.live_source(source, options.input.max_frames, open_capture)
    result = use_case(request, frames, models)
    note = " (stopped by Ctrl-C)" if result.interrupted else ""
    print(f"pose: wrote {out} ({result.frames_processed} live frames, {result.fps:.1f} FPS"
          f"{note})", file=sys.stderr)
    return 0
