"""``--runtime keras`` on the legacy reference cases whose networks the reference converts
exactly (bilinear decoders). The transposed-conv cases differ from the reference by design:
the Keras graph is the true SLEAP network and sleap-nn's conversion is not (ADR-0070)."""

from __future__ import annotations

import pytest

from tests.conftest import REFERENCE, case_args, compare_slp, reference_cases

pytest.importorskip("tf_keras")

from pose_cli.main import main

KERAS_EXACT = {"legacy_single_instance_video", "legacy_multiclass_bottomup_clip"}
CASES = [c for c in reference_cases() if c["name"] in KERAS_EXACT]


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_keras_runtime_matches_reference(case, tmp_path, capsys):
    out = tmp_path / "pred.slp"
    rc = main(["track", *case_args(case), "-o", str(out), "--progress", "none",
               "--runtime", "keras"])
    assert rc == 0, capsys.readouterr().err
    report = compare_slp(REFERENCE / case["name"] / "predictions.slp", out)
    assert report["ok"], report
