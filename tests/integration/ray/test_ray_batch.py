"""Issue 8 acceptance on a local two-worker Ray cluster (ADR-0060..0062)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from pose_cli.main import main
from tests.conftest import DATA, compare_slp

pytestmark = pytest.mark.slow

VIDEO = DATA / "videos" / "centered_pair_small.mp4"
MODEL = DATA / "models" / "sleapnn" / "single_instance"
CLIP = DATA / "labels" / "clip.predictions.untracked.slp"


def _videos(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir()
    out = []
    for name in "abc"[:n]:
        shutil.copy(VIDEO, folder / f"{name}.mp4")
        out.append(folder / f"{name}.mp4")
    return out


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "pose-manifest.json").read_text())["inputs"]


def test_three_inputs_on_ray_equal_sequential_runs(ray_cluster, tmp_path, capsys) -> None:
    vids = _videos(tmp_path / "batch")
    seq = tmp_path / "seq"
    seq.mkdir()
    shutil.copy(VIDEO, seq / "a.mp4")
    flags = ["--frames", "0-9", "-m", str(MODEL)]
    assert main(["track", "-i", str(seq / "a.mp4"), *flags, "--progress", "none"]) == 0
    capsys.readouterr()
    assert main(["track", "-i", str(tmp_path / "batch"), *flags, "--executor", "ray",
                 "--progress", "json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert lines[-1]["done"] and lines[-1]["n_processed"] == 30 == lines[-1]["n_total"]
    for v in vids:
        out = v.with_suffix(".predictions.slp")
        rep = compare_slp(seq / "a.predictions.slp", out)
        assert rep["ok"], rep
    assert {e["status"] for e in _manifest(tmp_path / "batch").values()} == {"done"}


def _ray_task_pids() -> list[int]:
    import psutil

    out = []
    for p in psutil.Process().children(recursive=True):  # only our own cluster's workers
        try:
            if "ray::_run_task" in " ".join(p.cmdline()):
                out.append(p.pid)
        except psutil.Error:
            pass
    return out


def test_killed_worker_is_retried_and_a_second_run_does_nothing(
    ray_cluster, tmp_path, capsys
) -> None:
    import sleap_io as sio

    vids = _videos(tmp_path / "batch")
    killed: list[int] = []

    def killer() -> None:
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            pids = _ray_task_pids()
            if pids:
                time.sleep(1.0)  # let it get going (model loaded, frames predicted)
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                return
            time.sleep(0.05)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    args = ["track", "-i", str(tmp_path / "batch"), "--frames", "0-29", "-m", str(MODEL),
            "--executor", "ray", "--max-retries", "2", "--progress", "none"]
    assert main(args) == 0
    t.join(timeout=5)
    assert killed, "no task worker was found to kill"
    man = _manifest(tmp_path / "batch")
    assert {e["status"] for e in man.values()} == {"done"} and len(man) == 3
    outputs = [v.with_suffix(".predictions.slp") for v in vids]
    for out in outputs:
        assert len(sio.load_slp(str(out), open_videos=False).labeled_frames) == 30
    assert not list((tmp_path / "batch").glob(".pose-*"))  # no temporary leftovers
    mtimes = [o.stat().st_mtime_ns for o in outputs]
    capsys.readouterr()
    assert main(args) == 0
    err = capsys.readouterr().err
    assert err.count("skipped") == 3 and "wrote" not in err
    assert [o.stat().st_mtime_ns for o in outputs] == mtimes


def test_chunked_tracking_matches_the_unsplit_run(ray_cluster, tmp_path) -> None:
    shutil.copy(CLIP, tmp_path / "clip.slp")
    unsplit, chunked = tmp_path / "unsplit.slp", tmp_path / "chunked.slp"
    assert main(["track", "-i", str(tmp_path / "clip.slp"), "-t", "-o", str(unsplit),
                 "--progress", "none"]) == 0
    assert main(["track", "-i", str(tmp_path / "clip.slp"), "-t", "-o", str(chunked),
                 "--chunk-frames", "500", "--executor", "ray", "--progress", "none"]) == 0
    rep = compare_slp(unsplit, chunked, "--tracks")
    assert rep["ok"] and rep["identity_agreement"] >= 0.99, rep
    entry = _manifest(tmp_path)[str(tmp_path / "clip.slp")]
    assert entry["status"] == "done" and set(entry["chunks"]) == {"0-500", "500-1000",
                                                                   "1000-1500"}
    assert not (tmp_path / "chunked.slp.chunks").exists()
