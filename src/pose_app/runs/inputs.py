"""The inputs of one ``pose track`` call: folders and ``.txt`` lists expanded to input paths."""

from __future__ import annotations

import os
from pathlib import Path

from pose_app.formats import INPUT_EXTENSIONS
from pose_domain.errors import InputNotFoundError, UnsupportedInputError


def read_list_file(path: str) -> list[str]:
    """The inputs a ``.txt`` lists, one path per line (``#`` comments; relative to the file);
    one line naming the line that names no file, or saying the file is no text list."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        raise UnsupportedInputError(
            f"{path} is not a list of inputs (a .txt input is read as one path per line)",
            hint=f"give the video itself with -i ({type(exc).__name__})",
        ) from exc
    base = os.path.dirname(path)
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        full = line if os.path.isabs(line) else os.path.join(base, line)
        if not os.path.exists(full):
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise InputNotFoundError(
                f"{path}, line {n}: no such input: {shown!r} (a .txt input is read as a "
                "list of paths, one per line)",
                hint="fix that line, or give the video itself with -i",
            )
        out.append(full)
    if not out:
        raise UnsupportedInputError(f"{path} lists no inputs", hint="write one video path per line")
    return out


def expand_inputs(paths: list[str]) -> list[str]:
    """``-i`` values → input paths: files as given, folders expanded to their videos/.slp files
    (an image folder stays one input), ``.txt`` files read as one path per line."""
    out: list[str] = []
    for p in paths:
        if p.lower().endswith(".txt") and os.path.isfile(p):
            out.extend(read_list_file(p))
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
