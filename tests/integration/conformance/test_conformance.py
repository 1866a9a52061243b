"""Drop-in conformance: each sleap-nn 0.3.5 command line of ``cases.py`` run by ``pose`` with
only the program name changed gives the reference's outputs (tests/data/conformance/<case>/,
made by ``scripts/make_conformance_refs.py``; the exact command is in its case.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from pose_cli.main import main
from tests.conftest import DATA, compare_slp
from tests.integration.conformance.cases import CASES

REFS = DATA / "conformance"
HAVE = sorted(n for n in CASES if (REFS / n / "case.json").exists())


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for sub in ("videos", "labels"):
        for f in (DATA / sub).iterdir():
            os.symlink(f, data / f.name)
    os.symlink(DATA / "models", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _compare_h5(ref: Path, got: Path) -> list[str]:
    errors = []
    with h5py.File(ref) as r, h5py.File(got) as g:
        for key in ("tracks", "point_scores", "instance_scores", "track_occupancy"):
            if key not in r:
                continue
            a, b = np.asarray(r[key]), np.asarray(g[key])
            if a.shape != b.shape or not np.allclose(a, b, atol=1e-3, equal_nan=True):
                errors.append(key)
    return errors


def _compare_centroids(ref: Path, got: Path) -> list[str]:
    """sleap-io centroids per frame: same count, positions within 0.05 px, scores 0.01."""
    import sleap_io as sio

    errors = []
    want, have = sio.load_slp(str(ref)), sio.load_slp(str(got))
    frames = {(lf.frame_idx): lf for lf in have.labeled_frames}
    for lf in want.labeled_frames:
        other = frames.get(lf.frame_idx)
        a = sorted(lf.centroids, key=lambda c: (c.x, c.y))
        b = sorted(other.centroids, key=lambda c: (c.x, c.y)) if other is not None else []
        if len(a) != len(b):
            errors.append(f"frame {lf.frame_idx}: {len(a)} vs {len(b)} centroids")
            continue
        for c, d in zip(a, b):
            if max(abs(c.x - d.x), abs(c.y - d.y)) > 0.05 or abs(c.score - d.score) > 0.01:
                errors.append(f"frame {lf.frame_idx}: centroid {c.x, c.y} vs {d.x, d.y}")
    return errors


@pytest.mark.parametrize("name", HAVE)
def test_pose_matches_the_reference(name: str, run_dir: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    if any(a == "--use_kalman" for a in case["args"]):
        pytest.importorskip("pykalman")
    ref_case = json.loads((REFS / name / "case.json").read_text())
    assert ref_case["args"] == case["args"], "regenerate the reference"
    code = main(list(case["args"]))  # the reference's command line, program name changed
    out = capsys.readouterr().out
    assert code == 0
    for output in case["outputs"]:
        ref, got = REFS / name / output, run_dir / output
        assert got.exists(), output
        if output.endswith(".slp"):
            report = compare_slp(ref, got, *(["--tracks"] if case.get("tracks") else []))
            assert report["ok"], report
        elif output.endswith(".h5"):
            assert _compare_h5(ref, got) == []
        elif output.endswith(".npz"):
            from tests.integration.test_eval_parity import _compare

            want = np.load(ref, allow_pickle=True)["metrics"].item()
            have = np.load(got, allow_pickle=True)["metrics"].item()
            assert _compare(want, have) == []
    if case.get("centroids"):
        assert _compare_centroids(REFS / name / "out.slp", run_dir / "out.slp") == []
    if case.get("embedded"):
        with h5py.File(run_dir / "out.slp") as f:
            assert "video0" in f, "frames are not embedded"
    if case.get("stdout"):
        ref_lines = [json.loads(x) for x in (REFS / name / "stdout.txt").read_text().splitlines()
                     if x.startswith("{")]
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        assert lines and {tuple(sorted(x)) for x in lines} == {
            tuple(sorted(x)) for x in ref_lines}
        assert lines[-1]["n_processed"] == lines[-1]["n_total"] == ref_lines[-1]["n_total"]
