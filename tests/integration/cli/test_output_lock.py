"""One writer per output (issue 20, ADR-0130): a second run on a locked output ends at once
with one line naming the first; a lock left by a killed run is taken over."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import DATA, compare_slp

from pose_adapters.locks import OutputLock, lock_path_for, output_lock
from pose_cli.main import main
from pose_domain.errors import OutputLockedError

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
SINGLE = str(DATA / "models" / "sleapnn" / "single_instance")
UNTRACKED = str(DATA / "labels" / "centered_pair_predictions.untracked.slp")
ARGS = ["track", "-i", VIDEO, "-m", SINGLE, "--frames", "0-299", "-t", "--progress", "none"]


def _hold_in_child(path: Path) -> subprocess.Popen[bytes]:
    """A child process that takes the lock on ``path`` and sleeps."""
    code = (f"from pose_adapters.locks import OutputLock\n"
            f"lock = OutputLock({str(path)!r}, command='pose track (child)'); lock.take()\n"
            "print('locked', flush=True)\nimport time; time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"locked"
    return proc


def test_second_lock_names_the_holder_and_release_removes_the_file(tmp_path):
    out = tmp_path / "out.slp"
    with output_lock(str(out), command="pose track -o out.slp"):
        owner = json.loads(Path(lock_path_for(str(out))).read_text())
        assert owner["pid"] == os.getpid() and owner["host"] == socket.gethostname()
        with pytest.raises(OutputLockedError) as info:  # another handle, even in-process
            OutputLock(str(out)).take()
        line = info.value.one_line()
        assert f"pid {os.getpid()} on host {socket.gethostname()}" in line
        assert "pose track -o out.slp" in line and "out.slp.lock" in line
        assert "\n" not in line
    assert not Path(lock_path_for(str(out))).exists()
    with output_lock(str(out)):  # free again
        pass


def test_lock_of_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "out.slp"
    child = _hold_in_child(out)
    try:
        with pytest.raises(OutputLockedError, match=f"pid {child.pid} "):
            OutputLock(str(out)).take()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert Path(lock_path_for(str(out))).exists(), "a killed run leaves its lock file"
    with output_lock(str(out)):  # the kernel dropped the flock: taken over
        owner = json.loads(Path(lock_path_for(str(out))).read_text())
        assert owner["pid"] == os.getpid()


def test_without_flock_a_dead_pid_on_this_host_is_stale(tmp_path, monkeypatch):
    """File systems without ``flock``: the recorded pid decides."""
    import pose_adapters.locks as locks

    monkeypatch.setattr(locks, "_flock", lambda fd: None)
    out = tmp_path / "out.slp"
    lock_file = Path(lock_path_for(str(out)))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    lock_file.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    with output_lock(str(out)):
        assert json.loads(lock_file.read_text())["pid"] == os.getpid()
    lock_file.write_text(json.dumps({"pid": 1, "host": "another-node"}))
    with pytest.raises(OutputLockedError, match="another-node"):
        OutputLock(str(out)).take()


def test_concurrent_track_runs_one_writes_the_other_exits_at_once(tmp_path, capsys):
    out = tmp_path / "same.slp"
    first = subprocess.Popen([sys.executable, "-m", "pose_cli", *ARGS, "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not Path(lock_path_for(str(out))).exists() and time.monotonic() < deadline:
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            time.sleep(0.02)
        t0 = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "pose_cli", *ARGS, "-o", str(out)],
                                check=False, capture_output=True, text=True, timeout=30)
        elapsed = time.monotonic() - t0
        assert first.wait(timeout=120) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        if first.stderr:
            first.stderr.close()
    assert second.returncode == 1, second.stderr
    assert elapsed < 2.0, elapsed
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in second.stderr
    assert lines[0].startswith("pose: error: another pose run is writing")
    assert f"pid {first.pid} on host {socket.gethostname()}" in lines[0]

    lone = tmp_path / "lone.slp"
    assert main([*ARGS, "-o", str(lone)]) == 0
    capsys.readouterr()
    report = compare_slp(lone, out, "--tracks", "--tol-px", "1e-6", "--tol-score", "1e-6")
    assert report["ok"], report
    assert not Path(lock_path_for(str(out))).exists()


def test_track_only_and_eval_refuse_a_locked_output(tmp_path, capsys):
    out = tmp_path / "tracked.slp"
    child = _hold_in_child(out)
    try:
        rc = main(["track", "-i", UNTRACKED, "-t", "-o", str(out), "--progress", "none"])
        err = capsys.readouterr().err
        assert rc == 1 and "another pose run is writing" in err and not out.exists()
        metrics = tmp_path / "metrics.npz"
        child2 = _hold_in_child(metrics)
        try:
            rc = main(["eval", "-g", UNTRACKED, "-p", UNTRACKED, "-s", str(metrics)])
            err = capsys.readouterr().err
            assert rc == 1 and "another pose run is writing" in err and not metrics.exists()
        finally:
            child2.kill()
            child2.wait()
    finally:
        child.kill()
        child.wait()


def test_batch_driver_reports_a_locked_output_and_runs_the_rest(tmp_path, capsys):
    out = tmp_path / "chunked.slp"
    child = _hold_in_child(out)
    try:
        rc = main([*ARGS, "-o", str(out), "--chunk-frames", "100"])
    finally:
        child.kill()
        child.wait()
    err = capsys.readouterr().err
    assert rc == 1 and "another pose run is writing" in err, err
    assert not out.exists() and not Path(str(out) + ".chunks").exists()
