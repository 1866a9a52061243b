"""Inputs and outputs of ``pose track``: ``-i`` expansion, default output paths, early checks."""

from __future__ import annotations

import os

from pose_domain.errors import InputNotFoundError, OutputWriteError

VIDEO_EXTS = {".mp4", ".avi", ".mov", ".mkv", ".mpg", ".mpeg", ".webm", ".m4v", ".wmv",
              ".h5", ".hdf5", ".slp"}


def expand_inputs(paths: list[str]) -> list[str]:
    """``-i`` values → input paths: files as given, folders expanded to their videos/.slp files
    (an image folder stays one input), ``.txt`` files read as one path per line."""
    from pose_adapters.formats.inputs import ListFileKind

    lists = ListFileKind()
    out: list[str] = []
    for p in paths:
        if lists.recognises(p):
            out.extend(lists.paths(p))  # one line naming the line that names no file
            continue
        if os.path.isdir(p):
            entries = sorted(os.listdir(p))
            vids = [os.path.join(p, e) for e in entries
                    if os.path.splitext(e)[1].lower() in VIDEO_EXTS
                    and not e.endswith(".predictions.slp")]
            out.extend(vids if vids else [p])
            continue
        out.append(p)
    for p in out:
        if not os.path.exists(p):
            raise InputNotFoundError(f"input not found: {p}", hint="check the -i path")
    return out


def default_output_path(data_path: str, video_index: int | None = None,
                        video_filename: str | None = None) -> str:
    """``<input without suffix>.predictions.slp`` (the reference ``track`` rule)."""
    base = data_path[:-4] if data_path.lower().endswith(".slp") else os.path.splitext(data_path)[0]
    if video_index is not None and video_filename:
        stem = os.path.splitext(os.path.basename(video_filename))[0]
        return f"{base}.{stem}.predictions.slp"
    return f"{base}.predictions.slp"


def check_output_path(path: str) -> None:
    """Fail before any work when the output cannot be written (missing or read-only folder)."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise OutputWriteError(
            f"output folder does not exist: {folder}", hint="create it, or choose another -o"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputWriteError(
            f"output folder is not writable: {folder}", hint="choose another -o"
        )
    if os.path.isdir(path):
        raise OutputWriteError(f"output path is a folder: {path}", hint="give a file name")


def output_for(data_path: str, output_path: str | None, output_format: str,
               track_only: bool) -> str:
    """Where one input's result goes: ``-o`` (else the reference's default name) named for
    ``output_format`` as the reference names analysis files: ``-o W.slp --output_format
    analysis_h5`` writes ``W.analysis.h5``."""
    if track_only:
        if output_path:
            return output_path
        from pose_app.track import default_output_path as track_output

        return track_output(data_path)
    from pose.bootstrap import output_path as named

    return named(output_path or default_output_path(data_path), output_format)
