"""Shared fixtures: paths to the small real files committed under tests/data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

# Converted models are cached per test session (shared by xdist workers), never in ~/.cache.
if "POSE_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["POSE_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "pose-test-cache")
REFERENCE = DATA / "reference"
MODELS = DATA / "models"
COMPARE_SLP = Path(__file__).parent / "tools" / "compare_slp.py"


def fixture_path(rel: str) -> Path:
    """Map a path as written in a reference ``case.json`` (relative to shared/fixtures)."""
    rel = rel.replace("\\", "/")
    if rel.startswith("models/"):
        return DATA / rel
    if rel.startswith("data/"):
        name = rel[len("data/") :]
        for sub in ("videos", "labels"):
            if (DATA / sub / name).exists():
                return DATA / sub / name
        return DATA / "videos" / name
    return DATA / rel


def reference_cases() -> list[dict]:
    return json.loads((REFERENCE / "cases.json").read_text())


def case_args(case: dict) -> list[str]:
    """The case's flags with fixture paths mapped into tests/data."""
    out = []
    for a in case["args"]:
        if a.startswith(("data/", "models/")):
            out.append(str(fixture_path(a)))
        else:
            out.append(a)
    return out


def compare_slp(ref: Path, cand: Path, *extra: str) -> dict:
    """Run the parity measure; returns its JSON report (with ``ok``)."""
    proc = subprocess.run(
        [sys.executable, str(COMPARE_SLP), str(ref), str(cand), "--json", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {"stdout": proc.stdout, "stderr": proc.stderr}
    report["ok"] = proc.returncode == 0
    return report


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _quiet_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
