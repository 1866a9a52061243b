"""Default output names (the reference's rule), one function for prediction and track-only
(cheap to import: a second run on a locked output ends before scipy loads)."""

from __future__ import annotations

import os


def default_output_path(input_path: str, video_filename: str | None = None) -> str:
    """``<input without suffix>[.<video stem>].predictions.slp`` next to the input."""
    base, _ = os.path.splitext(input_path)
    if video_filename:
        stem = os.path.splitext(os.path.basename(video_filename))[0]
        return f"{base}.{stem}.predictions.slp"
    return f"{base}.predictions.slp"
