"""Fakes of the batch ports (``ManifestStore``, ``Executor``)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pose_app.ports.executor import Job, LocalExecutor, Work
from pose_app.ports.progress import ProgressReporter

if TYPE_CHECKING:
    from pose_app.ports.executor import Executor
    from pose_app.ports.inspect import InputInspector
    from pose_app.ports.manifest import ManifestStore


class InMemoryManifestStore:
    """Keeps the manifest as JSON text, so what is saved must be JSON-able, as on disk."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.saves = 0

    def load(self) -> dict[str, Any] | None:
        return None if self.text is None else json.loads(self.text)

    def save(self, data: dict[str, Any]) -> None:
        self.text = json.dumps(data, sort_keys=True)
        self.saves += 1

    def update(self, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> None:
        self.save(change(self.load()))

    @property
    def data(self) -> dict[str, Any] | None:
        return self.load()


class FakeInspector:
    """Frame counts of videos and labeled frames of ``.slp`` files, from dicts."""

    def __init__(self, n_frames: dict[str, int] | None = None,
                 labeled: dict[str, tuple[list[int], int]] | None = None) -> None:
        self.counts = dict(n_frames or {})
        self.labeled = dict(labeled or {})

    def n_frames(self, path: str, *, dataset: str | None = None,
                 input_format: str = "channels_last") -> int:
        return self.counts[path]

    def labeled_frames(self, path: str, video_index: int | None) -> tuple[list[int], int]:
        return self.labeled[path]


class ShuffledExecutor:
    """Runs jobs in this process in a seeded random order, as a cluster finishes them."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.order: list[str] = []

    def run(
        self,
        jobs: Sequence[Job],
        work: Work,
        on_done: Callable[[Job, dict[str, Any]], None],
        on_failed: Callable[[Job, str], None],
        progress: ProgressReporter,
    ) -> None:
        shuffled = list(jobs)
        self.rng.shuffle(shuffled)
        self.order.extend(j.key for j in shuffled)
        LocalExecutor().run(shuffled, work, on_done, on_failed, progress)


if TYPE_CHECKING:
    _manifest: ManifestStore = InMemoryManifestStore()
    _executor: Executor = ShuffledExecutor()
    _inspector: InputInspector = FakeInspector()
