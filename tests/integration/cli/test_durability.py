"""Durability (issue 20, ADR-0132): chunks, the manifest and outputs are replaced so that a
crash or power loss between the data write and the rename leaves the previous state readable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pose_adapters import _files
from pose_adapters.chunks import NpzChunkStore
from pose_adapters.manifest import JsonManifestStore
from pose_app.ports.chunks import FrameRecord
from pose_domain.errors import OutputWriteError

FINGERPRINT = {"data_path": "v.mp4"}
DIE_IN_RENAME = """
import os, signal
def _die(*args, **kwargs):  # the data is on disk, the rename never happens
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = _die
"""


def _record(i: int) -> FrameRecord:
    return FrameRecord(video_index=0, frame_idx=i, decoded=True,
                       points=np.full((1, 2, 2), float(i)), point_scores=np.ones((1, 2)),
                       scores=np.ones(1), tracking_scores=np.zeros(1),
                       track_ids=np.full(1, -1, np.int64))


def _killed(script: str) -> None:
    proc = subprocess.run([sys.executable, "-c", DIE_IN_RENAME + textwrap.dedent(script)],
                          capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def test_chunk_killed_before_its_rename_leaves_the_earlier_chunks(tmp_path):
    folder = tmp_path / "out.slp.partial"
    store = NpzChunkStore(str(folder))
    store.begin(FINGERPRINT, resume=False)
    store.append([_record(0), _record(1)])
    _killed(f"""
        import numpy as np
        from pose_adapters.chunks import NpzChunkStore
        from pose_app.ports.chunks import FrameRecord
        store = NpzChunkStore({str(folder)!r})
        store.begin({FINGERPRINT!r}, resume=True)
        rec = FrameRecord(video_index=0, frame_idx=2, decoded=True, points=np.zeros((0, 2, 2)),
                          point_scores=np.zeros((0, 2)), scores=np.zeros(0),
                          tracking_scores=np.zeros(0), track_ids=np.zeros(0, np.int64))
        store.append([rec])
    """)
    assert sorted(p.name for p in folder.glob("chunk_*.npz")) == ["chunk_000000.npz"]
    assert list(folder.glob(".chunk-*.npz")), "the killed write left its temporary file"
    records = NpzChunkStore(str(folder)).begin(FINGERPRINT, resume=True)
    assert [r.frame_idx for r in records] == [0, 1]
    assert not list(folder.glob(".chunk-*.npz")), "--resume removes the leftovers"


def test_manifest_killed_before_its_rename_keeps_the_previous_manifest(tmp_path):
    path = tmp_path / "pose-manifest.json"
    JsonManifestStore(str(path)).save({"version": 1, "inputs": {"a": {"status": "done"}}})
    _killed(f"""
        from pose_adapters.manifest import JsonManifestStore
        JsonManifestStore({str(path)!r}).save({{"version": 1, "inputs": {{}}}})
    """)
    assert JsonManifestStore(str(path)).load() == {"version": 1,
                                                   "inputs": {"a": {"status": "done"}}}


def test_failed_rename_of_an_output_keeps_the_previous_file(tmp_path, monkeypatch):
    out = tmp_path / "out.slp"
    out.write_bytes(b"previous")

    def failing(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_files.os, "replace", failing)
    with pytest.raises(OutputWriteError, match="Input/output error"):
        _files.write_atomic(out, ".slp.tmp", lambda tmp: Path(tmp).write_bytes(b"new"))
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.slp"], "no temporary file is left"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
def test_data_and_folder_are_synced_around_the_rename(tmp_path, monkeypatch):
    """The order that makes a rename power-loss safe: fsync(file), rename, fsync(folder)."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(_files.os, "fsync", fsync)
    monkeypatch.setattr(_files.os, "replace", replace)
    _files.write_text_durably(str(tmp_path / "run.json"), "{}")
    assert events == ["fsync-file", "rename", "fsync-dir"]
