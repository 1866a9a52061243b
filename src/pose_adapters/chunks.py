"""Chunk store on disk: ``<output>.partial/`` with one ``.npz`` per chunk, written atomically
and durably (ADR-0132), plus ``run.json`` holding the run's fingerprint (ADR-0009)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from typing import Any

import numpy as np

from pose_adapters._files import fsync_dir, replace_durably, write_text_durably
from pose_app.ports.chunks import FrameRecord
from pose_domain.errors import InvalidOptionError, OutputWriteError


def partial_dir_for(output_path: str) -> str:
    return output_path + ".partial"


class NpzChunkStore:
    """:class:`pose_app.ports.chunks.ChunkStore` in a folder next to the output."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._next = 0

    def begin(self, fingerprint: dict[str, Any], resume: bool) -> list[FrameRecord]:
        manifest = os.path.join(self.folder, "run.json")
        records: list[FrameRecord] = []
        if resume and os.path.exists(manifest):
            with open(manifest) as fh:
                old = json.load(fh)
            if old != json.loads(json.dumps(fingerprint, default=str)):
                raise InvalidOptionError(
                    f"--resume: the partial run in {self.folder} used other inputs or options",
                    hint="rerun with the same flags, or drop --resume to start over",
                )
            for leftover in glob.glob(os.path.join(self.folder, ".*.tmp")) + glob.glob(
                    os.path.join(self.folder, ".chunk-*.npz")):
                os.unlink(leftover)  # temp files of a run killed before its rename
            files = sorted(glob.glob(os.path.join(self.folder, "chunk_*.npz")))
            for f in files:
                records.extend(_read_chunk(f))
            self._next = len(files)
            return records
        if os.path.isdir(self.folder):
            shutil.rmtree(self.folder)
        try:
            os.mkdir(self.folder)
            fsync_dir(os.path.dirname(os.path.abspath(self.folder)))
            write_text_durably(manifest, json.dumps(fingerprint, default=str))
        except OSError as exc:
            raise OutputWriteError(
                f"cannot create {self.folder}: {exc.strerror or exc}",
                hint="check that the output folder is writable",
            ) from exc
        self._next = 0
        return records

    def append(self, records: list[FrameRecord]) -> None:
        if not records:
            return
        path = os.path.join(self.folder, f"chunk_{self._next:06d}.npz")
        arrays: dict[str, np.ndarray] = {
            "video_index": np.array([r.video_index for r in records], np.int64),
            "frame_idx": np.array([r.frame_idx for r in records], np.int64),
            "decoded": np.array([r.decoded for r in records], bool),
            "counts": np.array([len(r.scores) for r in records], np.int64),
        }
        for key in ("points", "point_scores", "scores", "tracking_scores", "track_ids"):
            parts = [np.asarray(getattr(r, key)) for r in records]
            parts = [p for p in parts if p.shape[0]]
            arrays[key] = np.concatenate(parts) if parts else np.zeros((0,))
        fd, tmp = tempfile.mkstemp(prefix=".chunk-", suffix=".npz", dir=self.folder)
        os.close(fd)
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            replace_durably(tmp, path)  # fsync file, rename, fsync folder (ADR-0132)
        except OSError as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise OutputWriteError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint=("free disk space, then rerun with --resume (finished chunks are kept)"
                      if exc.errno == 28 else "check that the output folder is writable"),
            ) from exc
        self._next += 1

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _read_chunk(path: str) -> list[FrameRecord]:
    with np.load(path, allow_pickle=False) as z:
        d = {k: z[k] for k in z.files}
    out: list[FrameRecord] = []
    start = 0
    for i, n in enumerate(d["counts"]):
        sl = slice(start, start + int(n))
        start += int(n)
        out.append(FrameRecord(
            video_index=int(d["video_index"][i]), frame_idx=int(d["frame_idx"][i]),
            decoded=bool(d["decoded"][i]),
            points=d["points"][sl] if n else np.zeros((0, 0, 2)),
            point_scores=d["point_scores"][sl] if n else np.zeros((0, 0)),
            scores=d["scores"][sl] if n else np.zeros(0),
            tracking_scores=d["tracking_scores"][sl] if n else np.zeros(0),
            track_ids=d["track_ids"][sl].astype(np.int64) if n else np.zeros(0, np.int64),
        ))
    return out

