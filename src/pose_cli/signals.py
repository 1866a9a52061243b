"""SIGTERM and SIGINT for unattended runs (ADR-0131).

SLURM sends SIGTERM at a job's time limit (then SIGKILL after ``KillWait``), ``kill`` sends it
by default, Ctrl-C sends SIGINT. :func:`stop_on_signals` turns the first of them into a stop
request and a second into an immediate exit:

* cooperative mode (a use case polls the token: local prediction, the Ray driver): the first
  signal sets the :class:`SignalStop` token; the run stops reading frames, persists every
  predicted frame and raises :class:`pose_domain.errors.RunInterrupted`, which
  ``pose_cli.errors`` prints as one line with exit ``128 + signal`` (143 / 130);
* abort mode (everything else, the default): the first signal raises :class:`Interrupted` in
  the main thread, like Ctrl-C raises ``KeyboardInterrupt``; outputs are written atomically, so
  nothing half-written is left;
* a second signal in either mode prints one line and ends the process at once with
  ``128 + signal`` (what is not persisted yet is lost; persisted chunks stay).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO

from pose_domain.errors import RunInterrupted

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def signal_name(signum: int | None) -> str:
    try:
        return signal.Signals(signum or signal.SIGTERM).name
    except ValueError:
        return f"signal {signum}"


def exit_code_for(signum: int | None) -> int:
    """``128 + signal``: 143 for SIGTERM (the default), 130 for SIGINT."""
    return 128 + int(signum or signal.SIGTERM)


class SignalStop:
    """A stop token (:class:`pose_app.ports.stop.StopToken`: ``is_set()``) set by the first
    SIGTERM / SIGINT; remembers which signal it was.

    Attributes:
        signum: The first signal received (None until then).
        cooperative: True while the running code polls the token; False makes the first
            signal raise :class:`Interrupted` instead.
    """

    def __init__(self, cooperative: bool = False) -> None:
        self._event = threading.Event()
        self.signum: int | None = None
        self.cooperative = cooperative

    def set(self, signum: int | None = None) -> None:
        if self.signum is None:
            self.signum = signum
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def polled(self) -> None:
        """The running use case polls the token from now on: a first signal only sets it."""
        self.cooperative = True

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.signum)


class Interrupted(BaseException):
    """The run was stopped by a signal outside a cooperative stop (a ``BaseException`` like
    ``KeyboardInterrupt``, so ``except Exception`` blocks do not swallow it).

    Attributes:
        signum: The signal.
        message: One line for the user.
    """

    def __init__(self, signum: int | None, message: str | None = None) -> None:
        self.signum = signum
        self.message = message or (
            f"interrupted by {signal_name(signum)}; nothing half-written was left (outputs are "
            "replaced atomically); run the same command again (with --resume if it predicts)"
        )
        super().__init__(self.message)

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.signum)


def _say(stream: TextIO, text: str) -> None:
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError, RuntimeError):  # closed, or re-entered mid-write
        pass


@contextlib.contextmanager
def stop_on_signals(token: SignalStop | None = None, *,
                    stream: TextIO | None = None) -> Iterator[SignalStop]:
    """Handle SIGTERM / SIGINT for the ``with`` block (see the module docstring).

    Handlers are installed only in the main thread (elsewhere the token is yielded unused) and
    the previous handlers are restored on exit. A :class:`RunInterrupted` leaving the block
    gets the signal's exit code (``exc.exit_code``).
    """
    token = token or SignalStop()
    out = stream or sys.stderr

    def handle(signum: int, frame: FrameType | None) -> None:
        name = signal_name(signum)
        if token.is_set():
            _say(out, f"pose: second {name}: stopping now (frames not yet saved are lost; "
                      "saved chunks stay for --resume)")
            signal.signal(signum, signal.SIG_DFL)
            os._exit(exit_code_for(signum))
        token.set(signum)
        if not token.cooperative:
            raise Interrupted(signum)
        _say(out, f"pose: {name}: stopping after the batch in flight and saving every predicted "
                  f"frame (send {name} again to stop at once)")

    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            previous[sig] = signal.signal(sig, handle)
    try:
        yield token
    except RunInterrupted as exc:
        exc.exit_code = token.exit_code  # 143 for SIGTERM, 130 for SIGINT
        raise
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
