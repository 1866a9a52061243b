"""Track-only parity with sleap-nn 0.3.5 (``compare_slp --tracks``) and identity quality."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import DATA, REFERENCE, case_args, compare_slp

FAST_CASES = [
    "track_only_centroid_greedy",
    "track_only_clip_default",
    "track_only_clip_maxtracks",
    "track_only_fixed_window",
    "track_only_local_queues",
]


def _run(args: list[str]) -> int:
    from pose_cli.main import main

    return main(["track", *args, "--progress", "none"])


def _case(name: str) -> dict:
    return json.loads((REFERENCE / name / "case.json").read_text())


@pytest.mark.parametrize("name", FAST_CASES)
def test_track_only_matches_reference(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.slp"
    assert _run([*case_args(_case(name)), "-o", str(out)]) == 0
    report = compare_slp(REFERENCE / name / "predictions.slp", out, "--tracks")
    assert report["ok"], report
    assert report["identity_agreement"] >= 0.99
    assert report["count_agreement"] == 1.0


def _beside(tmp_path: Path, labels: Path, video: Path) -> Path:
    """The labels and their video in one folder (the .slp names the video without a folder)."""
    (tmp_path / labels.name).symlink_to(labels)
    (tmp_path / video.name).symlink_to(video)
    return tmp_path / labels.name


def _truncated_reference(name: str, last: int, dest: Path) -> Path:
    import sleap_io as sio

    labels = sio.load_slp(str(REFERENCE / name / "predictions.slp"), open_videos=False)
    labels.labeled_frames = [lf for lf in labels.labeled_frames if lf.frame_idx <= last]
    sio.save_slp(labels, str(dest))
    return dest


@pytest.mark.slow
def test_flow_on_clip_matches_reference_on_the_first_frames(tmp_path: Path) -> None:
    # online tracking is causal: the first 200 frames must equal the reference's
    slp = _beside(tmp_path, DATA / "labels" / "clip.predictions.untracked.slp",
                  DATA / "videos" / "clip.mp4")
    out = tmp_path / "out.slp"
    flags = ["-t", "--use_flow", "--max_tracks", "2", "--candidates_method", "local_queues"]
    assert _run(["-i", str(slp), *flags, "--frames", "0-199", "-o", str(out)]) == 0
    ref = _truncated_reference("track_only_clip_flow", 199, tmp_path / "ref.slp")
    report = compare_slp(ref, out, "--tracks")
    assert report["ok"], report


@pytest.mark.slow
def test_flow_on_centered_pair_matches_reference(tmp_path: Path) -> None:
    video = DATA / "videos" / "centered_pair_low_quality.mp4"
    if not video.exists():
        pytest.skip("needs ../shared/fixtures/data/centered_pair_low_quality.mp4")
    slp = _beside(tmp_path, DATA / "labels" / "centered_pair_predictions.untracked.slp", video)
    out = tmp_path / "out.slp"
    assert _run(["-i", str(slp), "--frames", "0-99", "-t", "--use_flow", "-o", str(out)]) == 0
    report = compare_slp(REFERENCE / "track_only_flow" / "predictions.slp", out, "--tracks")
    assert report["ok"], report


def _identity(path: Path) -> dict:
    from pose_adapters.slp import SlpLabelsStore
    from pose_domain.metrics.identity import identity_metrics

    store = SlpLabelsStore()
    gt = store.load(str(DATA / "labels" / "clip.2node.slp"))
    pred = store.load(str(path))
    return identity_metrics(gt.frames, pred.frames)  # pose eval's measure (ADR-0080)


@pytest.mark.parametrize(("case", "switches", "idf1"), [
    ("track_only_clip_default", 20, 0.80), ("track_only_clip_maxtracks", 18, 0.91)])
def test_identity_measure_gives_the_issue_figures_for_the_reference(
    case: str, switches: int, idf1: float
) -> None:
    m = _identity(REFERENCE / case / "predictions.slp")
    assert m["id_switches"] == switches and round(m["idf1"], 2) == idf1


def test_global_tracker_on_the_identity_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "global.slp"
    src = DATA / "labels" / "clip.predictions.untracked.slp"
    assert _run(["-i", str(src), "-t", "--tracker", "global", "-o", str(out)]) == 0
    ours = _identity(out)
    assert ours["id_switches"] <= 9  # measured: 0 (ADR-0081, ADR-0085)
    assert ours["idf1"] >= 0.95  # measured: 0.960 (ADR-0087); the reference's best is 0.911
    assert os.path.getsize(out) > 0


def test_eval_round_trip_on_a_track_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pose_cli.main import main

    out = tmp_path / "t.slp"
    src = DATA / "labels" / "clip.predictions.untracked.slp"
    assert _run(["-i", str(src), "-t", "--frames", "0-299", "-o", str(out)]) == 0
    capsys.readouterr()
    gt = DATA / "labels" / "clip.2node.slp"
    assert main(["eval", "-g", str(gt), "-p", str(out), "--json"]) == 0
    ident = json.loads(capsys.readouterr().out)["identity"]
    assert ident["num_gt_tracks"] == 2 and 0 < ident["num_matches"] <= 600  # frames 0-299
    assert {"id_switches", "id_switches_clearmot", "idf1", "idf1_all_pairs"} <= set(ident)


def test_filters_apply_before_tracking(tmp_path: Path) -> None:
    import sleap_io as sio

    out = tmp_path / "f.slp"
    src = DATA / "labels" / "clip.predictions.untracked.slp"
    assert _run(["-i", str(src), "-t", "--frames", "0-99", "--filter_min_visible_nodes", "2",
                 "-o", str(out)]) == 0
    labels = sio.load_slp(str(out), open_videos=False)
    counts = [int((~np.isnan(i.numpy()).any(axis=1)).sum())
              for lf in labels.labeled_frames for i in lf.instances]
    assert counts and min(counts) == 2
    assert labels.provenance["pipeline_type"] == "tracking_only"
