"""A fast mode as a user sees it (ADR-0181): one agreement line on stderr and the agreement
in the output's provenance; exit code 3 when the contract is not met and the run stops."""

from __future__ import annotations

import importlib.util

import pytest
import sleap_io as sio
from tests.conftest import DATA

from pose_cli.main import main

pytestmark = pytest.mark.skipif(importlib.util.find_spec("openvino") is None,
                                reason="openvino not installed")

VIDEO = DATA / "videos" / "centered_pair_small.mp4"
MODEL = str(DATA / "models" / "sleapnn" / "single_instance")
QUIET = ["--progress", "none", "--device", "cpu"]


def test_bf16_prints_its_agreement_and_records_it(tmp_path, capsys):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "0-11", "-o", str(out),
                 "--precision", "bf16", "--fast_check_frames", "8", *QUIET]) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "agreement with exact" in ln]
    assert len(lines) == 1
    assert lines[0].startswith("pose: fast mode bf16 on openvino ")
    assert "on 8 sampled frames" in lines[0] and "within the contract" in lines[0]
    fast = sio.load_slp(str(out), open_videos=False).provenance["fast_mode"]
    assert fast["precision"] == "bf16" and fast["contract_met"] is True
    assert fast["agreement"]["frames"] == 8 and fast["agreement"]["counts_equal"] == 1.0
    assert fast["runs_on"][0].startswith("openvino ")


def test_exact_mode_has_no_check(tmp_path, capsys):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "0-3", "-o", str(out),
                 *QUIET]) == 0
    assert "agreement with exact" not in capsys.readouterr().err
    assert "fast_mode" not in sio.load_slp(str(out), open_videos=False).provenance
