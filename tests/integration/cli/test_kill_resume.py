"""Crash safety (issue 10): a ``pose track`` run killed with SIGKILL keeps its persisted chunks,
never leaves a half-written output, and ``--resume`` finishes it with the same result as an
uninterrupted run."""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sleap_io as sio
from tests.conftest import DATA, compare_slp

from pose_adapters.chunks import NpzChunkStore, partial_dir_for
from pose_cli.main import main

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
MODELS = DATA / "models" / "sleapnn"
N_FRAMES = 200
CHUNK = 40
TRACK_ARGS = [
    "track", "-i", VIDEO, "--frames", f"0-{N_FRAMES - 1}",
    "-m", str(MODELS / "centroid"), "-m", str(MODELS / "centered_instance"),
    "-t", "--max_tracks", "2", "--candidates_method", "local_queues",
    "--progress", "none",
]
EXACT = ["--tracks", "--tol-px", "1e-6", "--tol-score", "1e-6",
         "--min-identity-agreement", "1.0"]


def _kill_after_first_chunk(args: list[str], partial: Path, timeout: float = 120.0) -> None:
    """Run ``pose`` in a subprocess and SIGKILL it as soon as one chunk is on disk."""
    env = dict(os.environ, POSE_CHUNK_FRAMES=str(CHUNK))
    proc = subprocess.Popen([sys.executable, "-m", "pose_cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if glob.glob(str(partial / "chunk_*.npz")):
                break
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"the run ended (rc={proc.returncode}) before a chunk landed: {err}")
            time.sleep(0.02)
        else:
            pytest.fail("no chunk was persisted in time")
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_run_keeps_chunks_and_resume_equals_uninterrupted(tmp_path, monkeypatch, capsys):
    out = tmp_path / "killed.slp"
    partial = Path(partial_dir_for(str(out)))
    _kill_after_first_chunk([*TRACK_ARGS, "-o", str(out)], partial)

    # The kill left no output at the final path, and whole, readable chunks.
    assert not out.exists()
    fingerprint = json.loads((partial / "run.json").read_text())
    records = NpzChunkStore(str(partial)).begin(fingerprint, resume=True)
    n_chunks = len(glob.glob(str(partial / "chunk_*.npz")))
    assert n_chunks >= 1
    assert len(records) == n_chunks * CHUNK
    assert [r.frame_idx for r in records] == list(range(len(records)))
    assert all(r.decoded for r in records)
    assert all(r.points.shape[0] == len(r.scores) for r in records)
    assert all(len(r.scores) <= 2 for r in records)

    # --resume continues from the chunks (in-process: no second interpreter start-up).
    monkeypatch.setenv("POSE_CHUNK_FRAMES", str(CHUNK))
    assert main([*TRACK_ARGS, "-o", str(out), "--resume"]) == 0
    assert out.exists()
    assert not partial.exists(), "chunks are removed once the final file is written"

    full = tmp_path / "full.slp"
    assert main([*TRACK_ARGS, "-o", str(full)]) == 0
    capsys.readouterr()

    report = compare_slp(full, out, *EXACT)
    assert report["ok"], report
    assert report["count_agreement"] == 1.0
    assert report["identity_agreement"] == 1.0

    resumed = sio.load_slp(str(out))
    uninterrupted = sio.load_slp(str(full))
    assert len(resumed.labeled_frames) == len(uninterrupted.labeled_frames)
    assert ([len(lf.instances) for lf in resumed.labeled_frames]
            == [len(lf.instances) for lf in uninterrupted.labeled_frames])
    assert ([[i.track.name if i.track else None for i in lf.instances]
             for lf in resumed.labeled_frames]
            == [[i.track.name if i.track else None for i in lf.instances]
                for lf in uninterrupted.labeled_frames])
    sel = resumed.provenance["frame_selection"]
    assert sel["frames_resumed"] == len(records)
    assert sel["frames_processed"] == N_FRAMES
    assert uninterrupted.provenance["frame_selection"]["frames_resumed"] == 0


def test_resume_with_other_flags_is_refused(tmp_path, capsys):
    """A partial run is only continued with the same inputs and options."""
    out = tmp_path / "out.slp"
    partial = Path(partial_dir_for(str(out)))
    store = NpzChunkStore(str(partial))
    store.begin({"data_path": "elsewhere.mp4"}, resume=False)
    rc = main([*TRACK_ARGS, "-o", str(out), "--resume"])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "--resume" in err and "same flags" in err
    assert not out.exists()
    assert (partial / "run.json").exists(), "a refused resume keeps the earlier chunks"
