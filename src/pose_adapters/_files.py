"""File writing shared by the adapters that produce user-facing outputs.

Durability (ADR-0132): every output, chunk and manifest is written to a temporary file in the
destination folder, flushed and ``fsync``-ed, renamed over the destination, and then the folder
is ``fsync``-ed so the rename itself survives a power loss. A crash or power loss at any point
leaves either the old file or the complete new one at the destination, never a torn one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

from pose_domain.errors import OutputWriteError


def fsync_path(path: str) -> None:
    """Flush a written file's data and metadata to the device."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: str) -> None:
    """Persist a folder's entries (a rename into it). Best effort where folders cannot be
    opened or synced (some network file systems, Windows)."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_umask() -> int:
    """The process umask (read from ``/proc`` where possible: setting it is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def honour_umask(path: str) -> None:
    """Give a file made by ``mkstemp`` (mode 0600) the mode a plain ``open`` would give it
    (0666 less the umask), so that colleagues read outputs as they read any other file."""
    try:
        os.chmod(path, 0o666 & ~current_umask())
    except OSError:
        pass


def replace_durably(tmp: str, path: str) -> None:
    """``fsync`` ``tmp``, rename it to ``path`` (same folder), ``fsync`` the folder; the file
    gets the mode the umask gives new files."""
    honour_umask(tmp)
    fsync_path(tmp)
    os.replace(tmp, path)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def write_text_durably(path: str, text: str, prefix: str = ".tmp-") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically and durably; ``OSError`` on failure (the
    temporary file is removed, ``path`` is untouched)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        replace_durably(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str | os.PathLike[str], suffix: str,
                 write: Callable[[str], object]) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place
    durably: ``path`` is always either the old file or a complete new one."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise OutputWriteError(f"output folder does not exist: {folder}", hint="create it first")
    if not os.access(folder, os.W_OK):
        raise OutputWriteError(
            f"output folder is not writable: {folder}", hint="choose -o elsewhere"
        )
    fd, tmp = tempfile.mkstemp(prefix=".pose-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        write(tmp)
        replace_durably(tmp, path)
    except OSError as exc:
        raise OutputWriteError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint=("free disk space, then rerun" if exc.errno == 28
                  else "check that the output folder is writable"),
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
