"""The inputs of one ``pose track`` call: folders and ``.txt`` lists expanded to input paths."""

from __future__ import annotations

import os
from pathlib import Path

from pose_app.formats import INPUT_EXTENSIONS
from pose_domain.errors import InputNotFoundError


def expand_inputs(paths: list[str]) -> list[str]:
    """``-i`` values → input paths: files as given, folders expanded to their videos/.slp files
    (an image folder stays one input), ``.txt`` files read as one path per line."""
    out: list[str] = []
    for p in paths:
        if p.lower().endswith(".txt") and os.path.isfile(p):
            base = os.path.dirname(p)
            for line in Path(p).read_text().splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    out.append(line if os.path.isabs(line) else os.path.join(base, line))
            continue
        if os.path.isdir(p):
            entries = sorted(os.listdir(p))
            vids = [os.path.join(p, e) for e in entries
                    if os.path.splitext(e)[1].lower() in INPUT_EXTENSIONS
                    and not e.endswith(".predictions.slp")]
            out.extend(vids if vids else [p])
            continue
        out.append(p)
    for p in out:
        if not os.path.exists(p):
            raise InputNotFoundError(f"input not found: {p}", hint="check the -i path")
    return out
