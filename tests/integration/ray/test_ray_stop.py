"""SIGTERM to a Ray driver (issue 20, ADR-0131): it stops starting chunks, cancels the running
ones, exits 143 with one line, and its manifest says which chunks are done; the same command
with ``--resume`` then finishes with the uninterrupted result."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from pose_cli.main import main
from tests.conftest import DATA, compare_slp

pytestmark = pytest.mark.slow

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
MODEL = str(DATA / "models" / "sleapnn" / "single_instance")


def _chunks(manifest: Path) -> dict[str, str]:
    try:
        inputs = json.loads(manifest.read_text())["inputs"]
    except (OSError, ValueError, KeyError):
        return {}
    return next(iter(inputs.values()), {}).get("chunks", {})


def test_sigterm_stops_the_driver_and_resume_finishes(ray_cluster, tmp_path, capsys) -> None:
    out = tmp_path / "chunked.slp"
    manifest = tmp_path / "pose-manifest.json"
    args = ["track", "-i", VIDEO, "--frames", "0-599", "-m", MODEL, "-o", str(out),
            "--chunk-frames", "50", "--executor", "ray", "--progress", "none"]
    sent: list[float] = []

    def stopper() -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            if "done" in _chunks(manifest).values():
                sent.append(time.monotonic())
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.02)

    t = threading.Thread(target=stopper, daemon=True)
    t.start()
    rc = main(args)
    ended = time.monotonic()
    t.join(timeout=5)
    err = capsys.readouterr().err
    assert sent, "no chunk finished in time"
    assert rc == 143, err
    assert ended - sent[0] < 10.0
    last = err.strip().splitlines()[-1]
    assert last.startswith("pose: stopped: 0 of 1 input(s) done; finished chunks are recorded")
    assert last.endswith("run the same command with --resume to continue")
    chunks = _chunks(manifest)
    assert len(chunks) == 12 and "done" in chunks.values() and "pending" in chunks.values()
    entry = next(iter(json.loads(manifest.read_text())["inputs"].values()))
    assert entry["status"] == "pending" and not out.exists()

    assert main([*args, "--resume"]) == 0
    full = tmp_path / "full.slp"
    assert main(["track", "-i", VIDEO, "--frames", "0-599", "-m", MODEL, "-o", str(full),
                 "--progress", "none"]) == 0
    capsys.readouterr()
    rep = compare_slp(full, out)
    assert rep["ok"], rep
    assert set(_chunks(manifest).values()) == {"done"}


def test_sigterm_to_an_embedded_ray_driver(tmp_path) -> None:
    """``ray.init`` installs its own SIGTERM handler in the driver; the stop still works."""
    import subprocess
    import sys

    out = tmp_path / "chunked.slp"
    manifest = tmp_path / "pose-manifest.json"
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", OMP_NUM_THREADS="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pose_cli", "track", "-i", VIDEO, "--frames", "0-599", "-m",
         MODEL, "-o", str(out), "--chunk-frames", "50", "--executor", "ray",
         "--progress", "none"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 180
        while "done" not in _chunks(manifest).values() and time.time() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        elapsed = time.monotonic() - t0
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert rc == 143, err
    assert elapsed < 10.0, (elapsed, err)
    assert err.strip().splitlines()[-1].startswith("pose: stopped: 0 of 1 input(s) done"), err
    chunks = _chunks(manifest)
    assert "done" in chunks.values() and "pending" in chunks.values()
