"""Batch runs: many inputs and long videos as independent jobs on any executor (ADR-0060).

Executor-independent parts of ``pose track --executor ray`` / ``--chunk-frames``:

* planning: one :class:`Job` per input, or per chunk of an input (:func:`plan_chunks`);
* the manifest (:class:`Manifest`): per input ``pending`` / ``running`` / ``done`` /
  ``failed`` with a one-line reason, per chunk ``pending`` / ``done``; what is done with the
  same settings is skipped on the next run (ADR-0061);
* :class:`BatchUseCase`: runs the jobs through an :class:`~pose_app.ports.executor.Executor`
  port (``Job``, ``Chunk``, ``LocalExecutor`` live there too), keeps the manifest
  current, and merges chunk outputs with identity stitching (``pose_domain.tracking.stitch``,
  ADR-0062).

The work of one job (predicting or tracking a frame range) is a plain callable supplied by the
composition root, so the same plan runs in-process or on a cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from pose_app.dataset import Dataset
from pose_app.ports.executor import (  # LocalExecutor: re-exported for callers
    Chunk,
    Executor,
    Job,
    LocalExecutor,  # noqa: F401
    error_line,
)
from pose_app.ports.labels import LabelsStore
from pose_app.ports.locks import NoLocks, OutputLocks
from pose_app.ports.manifest import ManifestStore
from pose_app.ports.progress import NullProgress, ProgressReporter
from pose_domain.errors import InvalidOptionError, OutputLockedError
from pose_domain.instance import LabeledFrame
from pose_domain.tracking.stitch import TrackedChunk, stitch_chunks

Status = Literal["pending", "running", "done", "failed"]
MANIFEST_NAME = "pose-manifest.json"
MANIFEST_VERSION = 1


# ------------------------------------------------------------------------------ planning
def plan_chunks(first: int, stop: int, chunk_frames: int, overlap: int) -> list[Chunk]:
    """Split frame indices ``[first, stop)`` into chunks of ``chunk_frames``.

    Args:
        first: First frame index of the video's selection.
        stop: One past the last frame index.
        chunk_frames: Frames owned per chunk (> 0).
        overlap: Warm-up frames of every chunk but the first (>= 0; clipped to the
            previous chunk's length).

    Returns:
        Chunks in order; one chunk (no warm-up) when the range fits in one.
    """
    if chunk_frames <= 0:
        raise InvalidOptionError(
            f"--chunk-frames must be positive, got {chunk_frames}", hint="e.g. --chunk-frames 500"
        )
    out: list[Chunk] = []
    s = first
    while s < stop or not out:
        e = min(s + chunk_frames, stop) if stop > s else s
        warm = 0 if not out else min(overlap, out[-1].stop - out[-1].start)
        out.append(Chunk(start=s, stop=e, warmup=warm))
        if e <= s:
            break
        s = e
    return out


def settings_fingerprint(settings: dict[str, Any]) -> str:
    """A short stable hash of the settings that decide an output (JSON, sorted keys)."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------ manifest
@attrs.define(kw_only=True)
class ManifestEntry:
    """One input's state.

    Attributes:
        input: Input path.
        output: Output path.
        status: ``pending``, ``running``, ``done`` or ``failed``.
        reason: One-line reason of the last failure (None otherwise).
        fingerprint: :func:`settings_fingerprint` of the settings that produced the output.
        chunks: Chunk key (``start-stop``) -> ``pending`` / ``done`` for chunked inputs.
        attempts: Times this input was started.
        updated: Unix time of the last change.
    """

    input: str
    output: str
    status: Status = "pending"
    reason: str | None = None
    fingerprint: str = ""
    chunks: dict[str, str] = attrs.field(factory=dict)
    attempts: int = 0
    updated: float = 0.0


_ALLOWED: dict[str, set[str]] = {
    "pending": {"running", "done", "failed"},
    "running": {"done", "failed", "pending", "running"},
    "done": {"pending"},
    "failed": {"running", "pending"},
}


@attrs.define
class Manifest:
    """Per-input states of batch runs writing into one folder (JSON, ADR-0061)."""

    entries: dict[str, ManifestEntry] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"version": MANIFEST_VERSION,
                "inputs": {k: attrs.asdict(e) for k, e in sorted(self.entries.items())}}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Manifest:
        if not data:
            return cls()
        names = {a.name for a in attrs.fields(ManifestEntry)}
        return cls({k: ManifestEntry(**{n: v for n, v in d.items() if n in names})
                    for k, d in data.get("inputs", {}).items()})

    def entry(self, input_path: str, output_path: str) -> ManifestEntry:
        e = self.entries.get(input_path)
        if e is None or e.output != output_path:
            e = ManifestEntry(input=input_path, output=output_path)
            self.entries[input_path] = e
        return e

    def set_status(self, input_path: str, status: Status, reason: str | None = None) -> None:
        """Move an input to ``status`` (``failed`` needs a reason; others clear it)."""
        e = self.entries[input_path]
        if status not in _ALLOWED[e.status] and status != e.status:
            raise ValueError(f"manifest: {e.status} -> {status} is not a valid transition")
        e.status = status
        e.reason = " ".join(str(reason).split()) if status == "failed" and reason else None
        if status == "running" and not e.reason:
            e.attempts += 1
        e.updated = time.time()


# ------------------------------------------------------------------------------ use case
@attrs.frozen(kw_only=True)
class BatchInput:
    """One input to run, with its planned chunks (empty: not chunked).

    Attributes:
        input_path: Video or ``.slp``.
        output_path: Final output.
        chunks: The frame ranges (warm-up set when tracking).
        frames: Planned number of frames (progress total).
    """

    input_path: str
    output_path: str
    chunks: tuple[Chunk, ...] = ()
    frames: int = 0


@attrs.frozen(kw_only=True)
class BatchReport:
    done: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: dict[str, str]


Finalize = Callable[[list[LabeledFrame]], list[LabeledFrame]]


@attrs.define(kw_only=True)
class BatchUseCase:
    """Plan, run and record a batch.

    Attributes:
        executor: Where jobs run.
        work: Runs one job (must be picklable by reference for remote executors); returns a
            small JSON-able summary such as ``{"frames": n}``.
        manifest_store: Where the manifest lives.
        labels_store: Reads chunk outputs and writes merged outputs (atomically).
        exists: ``os.path.exists`` (injectable).
        remove: Deletes a chunk output after a merge.
        progress: The run's one progress reporter.
        finalize: Whole-video tracking post-processing applied after stitching (identity
            for none).
        part_path: ``(output, chunk) -> chunk output path``.
        locks: The driver holds each final output's lock for the whole run (ADR-0130).
    """

    executor: Executor
    work: Callable[[Job, ProgressReporter], dict[str, Any]]
    manifest_store: ManifestStore
    labels_store: LabelsStore
    exists: Callable[[str], bool]
    remove: Callable[[str], None]
    part_path: Callable[[str, Chunk], str]
    progress: ProgressReporter = attrs.field(factory=NullProgress)
    finalize: Finalize | None = None
    stitch_distance: float = 5.0
    locks: OutputLocks = attrs.field(factory=NoLocks)

    def plan(
        self, inputs: Sequence[BatchInput], manifest: Manifest, fingerprint: str, overwrite: bool
    ) -> tuple[list[Job], list[str]]:
        """Jobs still to run, and the inputs skipped as done.

        An input is skipped when the manifest says ``done`` with the same fingerprint and its
        output exists, or (without ``--overwrite``) when its output exists at all.
        """
        jobs: list[Job] = []
        skipped: list[str] = []
        for inp in inputs:
            e = manifest.entry(inp.input_path, inp.output_path)
            have = self.exists(inp.output_path)
            if have and (
                (e.status == "done" and e.fingerprint == fingerprint) or not overwrite
            ):
                skipped.append(inp.input_path)
                continue
            if e.fingerprint != fingerprint or e.status == "done":
                e.chunks = {}
            if e.status != "pending":
                manifest.set_status(inp.input_path, "pending")
            e.fingerprint = fingerprint
            if not inp.chunks:
                jobs.append(Job(input_path=inp.input_path, output_path=inp.output_path,
                                frames=inp.frames))
                continue
            for ch in inp.chunks:
                part = self.part_path(inp.output_path, ch)
                if e.chunks.get(ch.key) == "done" and self.exists(part):
                    continue
                e.chunks[ch.key] = "pending"
                jobs.append(Job(input_path=inp.input_path, output_path=inp.output_path,
                                chunk=ch, part_path=part,
                                frames=ch.stop - ch.first))
        return jobs, skipped

    def __call__(
        self, inputs: Sequence[BatchInput], fingerprint: str, overwrite: bool = False
    ) -> BatchReport:
        """Run the inputs whose outputs this driver can lock (ADR-0130); an input whose
        output another run holds is reported failed with that run's one line and left alone
        in the manifest."""
        with contextlib.ExitStack() as held:
            mine: list[BatchInput] = []
            locked: dict[str, str] = {}
            for inp in inputs:
                try:
                    held.enter_context(self.locks.hold(inp.output_path))
                except OutputLockedError as exc:
                    locked[inp.input_path] = exc.one_line()
                    continue
                mine.append(inp)
            report = self._run(mine, fingerprint, overwrite)
        if not locked:
            return report
        return attrs.evolve(report, failed={**report.failed, **locked})

    def _run(
        self, inputs: Sequence[BatchInput], fingerprint: str, overwrite: bool
    ) -> BatchReport:
        manifest = Manifest.from_dict(self.manifest_store.load())
        jobs, skipped = self.plan(inputs, manifest, fingerprint, overwrite)
        by_input = {i.input_path: i for i in inputs}
        failed: dict[str, str] = {}
        done: list[str] = []
        for path in {j.input_path for j in jobs}:
            manifest.set_status(path, "running")
        self._save(manifest, by_input)

        def finish_input(path: str) -> None:
            inp = by_input[path]
            try:
                if inp.chunks:
                    self._merge(inp)
                manifest.set_status(path, "done")
                done.append(path)
            except Exception as exc:
                failed[path] = error_line(exc)
                manifest.set_status(path, "failed", failed[path])

        def on_done(job: Job, result: dict[str, Any]) -> None:
            e = manifest.entries[job.input_path]
            if job.chunk is not None:
                e.chunks[job.chunk.key] = "done"  # kept for the next run if a sibling failed
                owned = by_input[job.input_path].chunks
                if job.input_path not in failed and all(
                    e.chunks.get(c.key) == "done" for c in owned
                ):
                    finish_input(job.input_path)
            elif job.input_path not in failed:
                finish_input(job.input_path)
            self._save(manifest, by_input)

        def on_failed(job: Job, reason: str) -> None:
            failed[job.input_path] = reason
            if manifest.entries[job.input_path].status != "failed":
                manifest.set_status(job.input_path, "failed", reason)
            self._save(manifest, by_input)

        # inputs whose chunks were all done before (a crash between the last chunk and merge)
        for path in {i.input_path for i in inputs} - {j.input_path for j in jobs} - set(skipped):
            finish_input(path)
        self.progress.start(sum(j.frames for j in jobs), "pose batch")
        try:
            if jobs:
                self.executor.run(jobs, self.work, on_done, on_failed, self.progress)
        finally:
            self.progress.finish()
            for path in {j.input_path for j in jobs}:  # stopped (signal): not failed, not done
                if manifest.entries[path].status == "running":
                    manifest.set_status(path, "pending")
            self._save(manifest, by_input)
        return BatchReport(done=tuple(done), skipped=tuple(skipped), failed=failed)

    def _save(self, manifest: Manifest, mine: dict[str, BatchInput]) -> None:
        """Write this run's entries into the latest manifest, leaving every other run's
        entries as they are (runs writing into one folder share it, ADR-0143)."""

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            latest = Manifest.from_dict(current)
            for path in mine:
                if path in manifest.entries:
                    latest.entries[path] = manifest.entries[path]
            return latest.to_dict()

        self.manifest_store.update(change)

    def _merge(self, inp: BatchInput) -> None:
        """Stitch the chunk outputs of ``inp`` into its output; delete the chunk files."""
        parts = [self.part_path(inp.output_path, ch) for ch in inp.chunks]
        datasets = [self.labels_store.load(p) for p in parts]
        merged = merge_chunk_datasets(datasets, list(inp.chunks), self.finalize,
                                      self.stitch_distance)
        merged = attrs.evolve(merged, source_path=inp.output_path)
        self.labels_store.save(merged, inp.output_path)
        for p in parts:
            self.remove(p)


def merge_chunk_datasets(
    datasets: Sequence[Dataset],
    chunks: Sequence[Chunk],
    finalize: Finalize | None = None,
    stitch_distance: float = 5.0,
) -> Dataset:
    """One dataset from the chunk outputs of one video (identities stitched, ADR-0062).

    Args:
        datasets: Chunk outputs in chunk order (one video each, frames with local tracks).
        chunks: The matching chunks.
        finalize: Whole-video post-processing after stitching.
        stitch_distance: Max mean node distance (px) for the same detection on the overlap.
    """
    tracked = [TrackedChunk(start=ch.start, frames=sorted(ds.frames, key=lambda f: f.frame_idx))
               for ds, ch in zip(datasets, chunks, strict=True)]
    frames, tracks = stitch_chunks(tracked, max_distance=stitch_distance)
    if finalize is not None:
        frames = finalize(frames)
        used = {id(i.track) for f in frames for i in f.instances if i.track is not None}
        tracks = [t for t in tracks if id(t) in used]
    first = datasets[0]
    prov = dict(first.provenance)
    prov["chunks"] = [{"start": c.start, "stop": c.stop, "warmup": c.warmup} for c in chunks]
    for key in ("frames_processed",):
        vals = [ds.provenance.get(key) for ds in datasets]
        if all(isinstance(v, int) for v in vals):
            prov[key] = sum(int(v) for v in vals if v is not None) - sum(c.warmup for c in chunks)
    return attrs.evolve(first, frames=frames, tracks=tracks, provenance=prov)
