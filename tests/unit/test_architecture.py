"""The import contracts hold, and breaking one is caught (ADR-0002, ADR-0003)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    if exe is None:
        pytest.skip("import-linter not installed")
    return subprocess.run(
        [exe, "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_contracts_kept():
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_torch_in_domain_breaks_a_contract(tmp_path, monkeypatch):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", copy / ".importlinter")
    (copy / "src" / "pose_domain" / "_bad.py").write_text("import torch\n")
    monkeypatch.setenv("PYTHONPATH", str(copy / "src"))
    proc = _lint(copy)
    assert proc.returncode != 0
    assert "pose_domain._bad -> torch" in proc.stdout
