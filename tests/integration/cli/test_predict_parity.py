"""Parity: ``pose track`` on every reference prediction case equals sleap-nn 0.3.5's output
within compare_slp's default tolerance (0.05 px, 0.01 score, same instance counts)."""

from __future__ import annotations

import pytest
from tests.conftest import REFERENCE, case_args, compare_slp, reference_cases

from pose_cli.main import main

PREDICTION_CASES = [
    c for c in reference_cases()
    if c["command"] in ("track", "predict") and "-m" in c["args"]
]


@pytest.mark.slow
@pytest.mark.parametrize("case", PREDICTION_CASES, ids=[c["name"] for c in PREDICTION_CASES])
def test_prediction_case_matches_reference(case, tmp_path, capsys):
    out = tmp_path / "pred.slp"
    args = case_args(case)
    rc = main(["track", *args, "-o", str(out), "--progress", "none"])
    err = capsys.readouterr().err
    assert rc == 0, err
    extra = ["--tracks"] if "-t" in args else []
    report = compare_slp(REFERENCE / case["name"] / "predictions.slp", out, *extra)
    assert report["ok"], report
