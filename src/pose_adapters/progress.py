"""Progress reporters: a rich bar (FPS, ETA), JSON lines, or nothing."""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

from pose_app.ports.progress import ProgressReporter, SilentExtras


class JsonProgress:
    """One JSON object per update on stdout: ``{input, n_processed, n_total, rate, eta,
    elapsed, done, frame_idx, n_saved}`` (ADR-0134).

    ``frame_idx`` is the last finished frame index (null before the first), ``n_saved`` the
    frames persisted so far (what ``--resume`` restores; null when the run persists nothing),
    so the last line of a killed job's log says how far it got and what survived.
    """

    def __init__(self, interval: float = 0.25, stream: Any = None) -> None:
        self.interval = interval
        self.stream = stream or sys.stdout
        self.total = 0
        self.done = 0
        self.t0 = 0.0
        self.last = 0.0
        self.lock = threading.Lock()
        self.description = ""
        self.frame_idx: int | None = None
        self.n_saved: int | None = None

    def start(self, total: int, description: str = "") -> None:
        self.total, self.done, self.t0, self.last = total, 0, time.time(), 0.0
        self.description = description
        self.frame_idx = None

    def at_frame(self, frame_idx: int) -> None:
        self.frame_idx = int(frame_idx)

    def saved(self, n_frames: int) -> None:
        self.n_saved = int(n_frames)

    def _emit(self, final: bool = False) -> None:
        elapsed = max(time.time() - self.t0, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else None
        rec = {"input": self.description, "n_processed": self.done, "n_total": self.total,
               "rate": round(rate, 3), "eta": None if eta is None else round(eta, 2),
               "elapsed": round(elapsed, 3), "done": final,
               "frame_idx": self.frame_idx, "n_saved": self.n_saved}
        print(json.dumps(rec), file=self.stream, flush=True)

    def advance(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            now = time.time()
            if now - self.last >= self.interval:
                self.last = now
                self._emit()

    def finish(self) -> None:
        with self.lock:
            self._emit(final=True)


class RichProgress(SilentExtras):
    """A rich progress bar on stderr with FPS and ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[fps]} FPS"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False,
        )
        self._task: Any = None
        self.t0 = 0.0
        self.done = 0

    def start(self, total: int, description: str = "") -> None:
        self._progress.start()
        self.t0 = time.time()
        self.done = 0
        self._task = self._progress.add_task(description or "predicting", total=total, fps="-")

    def advance(self, n: int = 1) -> None:
        self.done += n
        fps = self.done / max(time.time() - self.t0, 1e-9)
        self._progress.update(self._task, advance=n, fps=f"{fps:.1f}")

    def finish(self) -> None:
        self._progress.stop()


def make_progress(kind: str) -> ProgressReporter:
    """The reporter for ``--progress`` (``rich``, ``json`` or ``none``) or ``gui`` (``--gui``)."""
    from pose_app.ports.progress import NullProgress

    if kind == "gui":
        from pose_adapters.gui_progress import GuiProgress

        return GuiProgress()
    if kind == "json":
        return JsonProgress()
    if kind == "none" or not sys.stderr.isatty():
        return NullProgress() if kind == "none" else RichProgress()
    return RichProgress()
