"""Track-only crash safety (issue 10): track-only runs are short, so they persist no chunks;
the final ``.slp`` is written to a temporary file and renamed, so a kill at any moment leaves
either no output or the previous complete file at the final path, never a half-written one."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sleap_io as sio
from tests.conftest import DATA

UNTRACKED = str(DATA / "labels" / "centered_pair_predictions.untracked.slp")
PREVIOUS = str(DATA / "labels" / "clip.predictions.slp")


def test_kill_in_the_middle_of_the_final_write_keeps_the_previous_file(tmp_path):
    """The write is interrupted (SIGKILL from inside sleap-io's writer, after half the bytes):
    the previous complete file at the final path is untouched."""
    out = tmp_path / "out.slp"
    out.write_bytes(Path(PREVIOUS).read_bytes())
    before = out.read_bytes()
    script = textwrap.dedent(f"""
        import os, signal
        import sleap_io as sio
        from pose_adapters.slp import store

        labels = sio.load_slp({UNTRACKED!r})
        real_save = sio.save_slp

        def dying_save(labels, path, **kwargs):
            real_save(labels, path, **kwargs)
            with open(path, "r+b") as fh:  # the file is half-written when the kill lands
                fh.truncate(os.path.getsize(path) // 2)
            os.kill(os.getpid(), signal.SIGKILL)

        sio.save_slp = dying_save
        store.save_labels_atomic(labels, {str(out)!r})
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert out.read_bytes() == before
    assert len(sio.load_slp(str(out)).labeled_frames) > 0


def test_killed_track_only_run_leaves_no_partial_output(tmp_path):
    """A real ``pose track -t`` run killed while its temporary output grows: nothing at the
    final path (if the run wins the race and finishes first, its output is complete)."""
    out = tmp_path / "tracked.slp"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pose_cli", "track", "-i", UNTRACKED, "-t", "-o", str(out),
         "--progress", "none"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    caught = False
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            temps = glob.glob(str(tmp_path / ".pose-*"))
            if temps and any(os.path.getsize(t) > 0 for t in temps if os.path.exists(t)):
                proc.send_signal(signal.SIGKILL)
                caught = True
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    print(f"killed while writing: {caught}")
    if caught and proc.returncode == -signal.SIGKILL:
        assert not out.exists(), "a killed track-only run left a file at the final path"
    else:
        assert proc.returncode == 0
        assert len(sio.load_slp(str(out)).labeled_frames) > 0
