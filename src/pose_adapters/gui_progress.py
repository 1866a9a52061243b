"""``--gui``: progress as JSON lines for the SLEAP GUI (sleap-nn 0.3.5's format).

One object per line on stdout, about four times a second and once at the end:
``{"n_processed": int, "n_total": int, "rate": frames/s, "eta": seconds}``. Logs and warnings
stay on stderr, so stdout carries nothing else.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from pose_app.ports.progress import SilentExtras


def gui_line(n_processed: int, n_total: int, elapsed: float) -> str:
    """One progress line (rate in frames/s, eta in s; 0 before the first frame)."""
    rate = n_processed / elapsed if elapsed > 0 else 0.0
    eta = (n_total - n_processed) / rate if rate > 0 else 0.0
    return json.dumps({"n_processed": int(n_processed), "n_total": int(n_total),
                       "rate": round(rate, 4), "eta": round(eta, 4)})


class GuiProgress(SilentExtras):
    """:class:`pose_app.ports.progress.ProgressReporter` printing :func:`gui_line` lines."""

    def __init__(self, interval: float = 0.25, stream: TextIO | None = None) -> None:
        self.interval = interval
        self.stream: Any = stream
        self.total = 0
        self.done = 0
        self._t0 = 0.0
        self._last = 0.0
        self._emitted = -1

    def _out(self) -> Any:
        return self.stream if self.stream is not None else sys.stdout

    def start(self, total: int, description: str = "") -> None:
        self.total, self.done = int(total), 0
        self._t0 = self._last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._emit(now)

    def _emit(self, now: float) -> None:
        self._emitted = self.done
        out = self._out()
        out.write(gui_line(self.done, self.total, now - self._t0) + "\n")
        out.flush()

    def finish(self) -> None:
        if self._emitted != self.done or self.done == 0:
            self._emit(time.monotonic())
