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
