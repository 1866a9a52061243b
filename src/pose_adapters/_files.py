"""File writing shared by the adapters that produce user-facing outputs."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from pose_domain.errors import OutputWriteError


def write_atomic(path: str | os.PathLike[str], suffix: str, write: Any) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place:
    ``path`` is always either the old file or a complete new one."""
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
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputWriteError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint=("free disk space, then rerun" if exc.errno == 28
                  else "check that the output folder is writable"),
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
