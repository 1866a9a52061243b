"""``pose eval`` reproduces the reference's metrics.npz / metrics.json for every eval_* case."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from pose_cli.main import main
from tests.conftest import REFERENCE, case_args

CASES = sorted(p.name for p in REFERENCE.glob("eval_*") if (p / "case.json").exists())


def _load_reference(case: str) -> dict:
    # Test-only: the reference file is ours; production code never unpickles.
    return np.load(REFERENCE / case / "metrics.npz", allow_pickle=True)["metrics"].item()


def _array(values: list) -> np.ndarray:
    """Lists from JSON hold ``None`` for non-finite numbers."""
    arr = np.asarray(values, dtype=object)
    if arr.dtype == object and any(v is None for v in arr.ravel()):
        return np.where(arr == None, np.nan, arr).astype(float)  # noqa: E711
    return np.asarray(values)


def _compare(ref, got, path: str = "") -> list[str]:
    errors: list[str] = []
    if isinstance(ref, dict):
        if list(ref) != list(got):
            return [f"{path}: keys {list(got)} != {list(ref)}"]
        for k in ref:
            errors += _compare(ref[k], got[k], f"{path}.{k}")
        return errors
    if type(ref) is not type(got):
        errors.append(f"{path}: type {type(got).__name__} != {type(ref).__name__}")
    if isinstance(ref, list):
        if path.endswith("video_paths"):  # stored paths depend on where the files lie
            ref = [os.path.basename(v) for v in ref]
            got = [os.path.basename(v) for v in got]
            return errors + ([] if ref == got else [f"{path}: differs"])
        ref, got = _array(ref), _array(got)
    r, g = np.asarray(ref), np.asarray(got)
    if r.shape != g.shape or r.dtype != g.dtype:
        return [*errors, f"{path}: {g.dtype}{g.shape} != {r.dtype}{r.shape}"]
    if r.dtype.kind in "biu":
        ok = np.array_equal(r, g)
    elif r.ndim == 0:
        ok = bool(np.isclose(g, r, rtol=1e-6, atol=0, equal_nan=True))
    else:
        ok = bool(np.allclose(g, r, rtol=0, atol=1e-6, equal_nan=True))
    return errors + ([] if ok else [f"{path}: values differ"])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_eval_matches_reference(case: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    spec = json.loads((REFERENCE / case / "case.json").read_text())
    out = tmp_path / "metrics.npz"
    rc = main(["eval", *case_args(spec), "-s", str(out), "--json"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    got = np.load(out, allow_pickle=True)["metrics"].item()
    errors = _compare(_load_reference(case), got)
    assert not errors, "\n".join(errors[:20])

    ref_json = json.loads((REFERENCE / case / "metrics.json").read_text())
    got_json = json.loads((tmp_path / "metrics.json").read_text())
    for d in (ref_json, got_json):
        d["distance_metrics"]["video_paths"] = [
            os.path.basename(v) for v in d["distance_metrics"]["video_paths"]
        ]
    assert _compare(ref_json, got_json) == []

    summary = json.loads(captured.out)
    assert summary["frame_pairs"] == 1500
    assert summary["metrics"]["mOKS"] == pytest.approx(got["mOKS"]["mOKS"])
    assert summary["identity"]["num_gt_tracks"] == 2


def test_eval_cases_exist() -> None:
    assert len(CASES) >= 2


def test_missing_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rc = main(["eval", "-g", str(tmp_path / "nope.slp"), "-p", str(tmp_path / "nope2.slp")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "not found" in err


@pytest.mark.slow
def test_table_summary_by_default(capsys: pytest.CaptureFixture) -> None:
    from tests.conftest import DATA

    gt = DATA / "labels" / "clip.2node.slp"
    pr = DATA / "reference" / "track_only_clip_maxtracks" / "predictions.slp"
    assert main(["eval", "-g", str(gt), "-p", str(pr)]) == 0
    out = capsys.readouterr().out
    assert "mOKS" in out and "idf1" in out and "id_switches" in out
