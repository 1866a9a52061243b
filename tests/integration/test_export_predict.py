"""Issue 7 acceptance: ``pose export`` then ``pose predict`` matches ``pose track`` with the same
models on the reference cases' inputs (first 10 frames of videos), within compare_slp
tolerance. Skips a case while the checkpoint pipeline cannot run it yet.

Five cases covering every head family run by default (~40 s); ``POSE_TEST_ALL_EXPORTS=1`` runs
every model case of the reference suite (~2-3 min on 2 cores; all passed when written).
"""

from __future__ import annotations

import os

import pytest

from pose_cli.main import main
from tests.conftest import case_args, compare_slp, reference_cases

pytest.importorskip("torch")

DEFAULT = {"bottomup_video", "topdown_video", "single_instance_pkg", "centroid_only_pkg",
           "legacy_multiclass_bottomup_clip"}
CASES = [
    c for c in reference_cases()
    if "-m" in c["args"] and "-t" not in c["args"] and c["command"] in ("track", "predict")
    and (os.environ.get("POSE_TEST_ALL_EXPORTS") == "1" or c["name"] in DEFAULT)
]
KEEP = {"--peak_threshold", "-n", "--max_instances"}


def _split(args: list[str]) -> tuple[str, list[str], list[str]]:
    data, models, extra = "", [], []
    it = iter(range(len(args)))
    for i in it:
        a = args[i]
        if a in ("-i", "--data_path"):
            data = args[i + 1]
        elif a in ("-m", "--model_paths"):
            models.append(args[i + 1])
        elif a in KEEP:
            extra += [a, args[i + 1]]
        else:
            continue
        next(it, None)
    return data, models, extra


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_exported_model_predicts_like_checkpoint(case, tmp_path, monkeypatch):
    monkeypatch.setenv("POSE_CACHE_DIR", str(tmp_path / "cache"))
    data, models, extra = _split(case_args(case))
    frames = ["--frames", "0-9"] if not data.endswith(".slp") else []
    track_out = tmp_path / "track.slp"
    model_flags = [flag for m in models for flag in ("-m", m)]
    rc = main(["track", "-i", data, *model_flags, *frames, *extra, "--runtime", "onnx",
               "-o", str(track_out)])
    if rc != 0 or not track_out.exists():
        pytest.skip(f"the checkpoint pipeline cannot run {case['name']} yet (rc={rc})")
    export_dir = tmp_path / "export"
    assert main(["export", *models, "-o", str(export_dir)]) == 0
    pred_out = tmp_path / "predict.slp"
    assert main(["predict", str(export_dir), data, *frames, *extra, "--runtime", "onnx",
                 "-o", str(pred_out)]) == 0
    report = compare_slp(track_out, pred_out)
    assert report["ok"], report
