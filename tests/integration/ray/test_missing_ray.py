"""Without ray installed, ``--executor ray`` fails with one line naming the extra."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import DATA

CLIP = DATA / "labels" / "clip.predictions.untracked.slp"


def test_without_ray_the_error_names_the_extra(tmp_path) -> None:
    code = ("import sys; sys.modules['ray'] = None; from pose_cli.main import main; "
            f"sys.exit(main(['track', '-i', {str(CLIP)!r}, '-t', '-o', "
            f"{str(tmp_path / 'o.slp')!r}, '--executor', 'ray']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "pose[ray]" in lines[0], proc.stderr
    assert not (tmp_path / "o.slp").exists()
