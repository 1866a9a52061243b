"""The one place that turns exceptions into a one-line message and an exit code (ADR-0006).

* ``PoseInputError`` and CLI usage errors: exit 2.
* ``PoseRuntimeError`` and anything unexpected: exit 1.
* Ctrl-C: exit 130.
* A run stopped by SIGTERM / SIGINT (ADR-0131): ``stopped at frame N of M; N saved; run the
  same command with --resume to continue``, exit 143 / 130.

With ``--debug`` the traceback is shown as well.
"""

from __future__ import annotations

import sys
import traceback
from typing import TextIO

from pose_domain.errors import PoseError, RunInterrupted

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def stopped_line(exc: RunInterrupted) -> str:
    """The one line of a run stopped on request."""
    n = exc.frames_saved
    return (f"stopped at frame {n} of {exc.frames_total}; {n} saved; "
            "run the same command with --resume to continue")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(exc: BaseException) -> tuple[str, int]:
    """The message and exit code for an exception."""
    from cyclopts.exceptions import CycloptsError

    from pose_cli.signals import Interrupted

    if isinstance(exc, RunInterrupted):  # exit_code: 128 + the signal (set by pose_cli.signals)
        return stopped_line(exc), int(exc.exit_code)
    if isinstance(exc, Interrupted):
        return _one_line(exc.message), exc.exit_code
    if isinstance(exc, PoseError):
        return exc.one_line(), exc.exit_code
    if isinstance(exc, CycloptsError):
        return _one_line(str(exc)) or "invalid command line", EXIT_USAGE
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    if isinstance(exc, MemoryError):
        return (
            "out of memory (try a smaller --batch_size or --queue_maxsize)",
            EXIT_RUNTIME,
        )
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        where = exc.filename or ""
        return f"disk full while writing {where} (free space and rerun with --resume)", 1
    name = type(exc).__name__
    return _one_line(f"internal error ({name}): {exc} (rerun with --debug for details)"), 1


def report(exc: BaseException, *, debug: bool, stream: TextIO | None = None) -> int:
    """Print ``pose: error: <message>`` (and the traceback with ``debug``); return the code."""
    stream = stream or sys.stderr
    message, code = describe(exc)
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=stream)
    from pose_cli.signals import Interrupted

    stopped = isinstance(exc, (RunInterrupted, Interrupted))  # a stop asked for, not a failure
    print(f"pose: {message}" if stopped else f"pose: error: {message}", file=stream)
    return code
