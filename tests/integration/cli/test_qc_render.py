"""``pose qc`` and ``pose render`` end to end on the shipped clip (sleap-io rendering)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import DATA

from pose_cli.main import main

PRED = str(DATA / "labels" / "clip.predictions.slp")  # tracked, 2 flies, video stored as clip.mp4
TRUTH = str(DATA / "labels" / "clip.2node.slp")
VIDEO = str(DATA / "videos" / "clip.mp4")

pytest.importorskip("skia")


def test_qc_writes_ranked_events_and_a_self_contained_page(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"
    code = main(["qc", PRED, "--video", VIDEO, "-g", TRUTH, "-o", str(out), "--thumbnails", "3"])
    assert code == 0
    doc = json.loads((out / "qc.json").read_text())
    events = doc["events"]
    assert events and {"frame_idx", "kind", "tracks", "score", "why"} <= set(events[0])
    scores = [e["score"] for e in events]
    assert scores == sorted(scores, reverse=True)
    assert {e["kind"] for e in events} <= {"swap", "break", "jump", "count"}
    s = doc["summary"]
    assert s["videos"][0]["expected_count"] == 2 and s["videos"][0]["video_found"]
    assert s["identity"]["id_switches"] == len(s["true_switches"])
    page = (out / "index.html").read_text()
    assert page.count("data:image/jpeg;base64,") == 3
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from the network
    assert "<script" not in page
    assert "Identity metrics against the ground truth" in page
    assert "probably fine" in page and 'class="cutoff"' in page
    assert "wrote" in capsys.readouterr().err
    # a rerun given the first report: every likely event remains, none is new
    again = tmp_path / "again"
    assert main(["qc", PRED, "-o", str(again), "--thumbnails", "0", "--previous",
                 str(out / "qc.json")]) == 0
    r = json.loads((again / "qc.json").read_text())["summary"]["recheck"]
    assert r["gone"] == [] and r["new"] == [] and len(r["remaining"]) == s["n_likely"]
    assert "Re-check against the earlier report" in (again / "index.html").read_text()
    assert "0 gone" in capsys.readouterr().err


def test_qc_without_the_video_warns_once_and_writes_a_report(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"
    assert main(["qc", PRED, "-o", str(out), "--thumbnails", "2"]) == 0
    err = capsys.readouterr().err
    warning = [ln for ln in err.splitlines() if "warning" in ln]
    assert len(warning) == 1 and "video not found: clip.mp4" in warning[0]
    page = (out / "index.html").read_text()
    assert "base64" not in page and "Video not found" in page


def test_qc_on_untracked_predictions_is_an_input_error(tmp_path: Path, capsys) -> None:
    untracked = str(DATA / "labels" / "clip.predictions.untracked.slp")
    assert main(["qc", untracked, "-o", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no tracked instance" in err[0]


def test_render_writes_50_frames_that_show_the_poses(tmp_path: Path) -> None:
    import sleap_io as sio

    out = tmp_path / "overlay.mp4"
    code = main(["render", PRED, "--video", VIDEO, "--frames", "100-149", "--trails", "5",
                 "-o", str(out), "--progress", "none"])
    assert code == 0
    rendered = sio.load_video(str(out))
    source = sio.load_video(VIDEO)
    assert rendered.shape[0] == 50
    assert rendered.shape[1:3] == source.shape[1:3]
    labels = sio.load_slp(PRED)
    by_frame = {lf.frame_idx: lf for lf in labels.labeled_frames}
    checked = 0
    for k in (0, 25, 49):
        fidx = 100 + k
        got = np.asarray(rendered[k], dtype=float).mean(axis=-1)
        src = np.asarray(source[fidx], dtype=float).mean(axis=-1)
        diff = np.abs(got - src)
        h, w = diff.shape
        for inst in by_frame[fidx].instances:
            for x, y in inst.numpy():
                if np.isfinite(x) and 3 <= x < w - 3 and 3 <= y < h - 3:
                    patch = diff[int(y) - 2:int(y) + 3, int(x) - 2:int(x) + 3]
                    assert patch.mean() > 15, (fidx, x, y)
                    checked += 1
        assert np.median(diff) < 6  # away from the animals the frame is the source's
    assert checked >= 6


def test_render_without_the_video_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["render", PRED, "-o", str(tmp_path / "o.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["pose: error: video not found: clip.mp4 (pass the video with --video PATH)"]
    assert not (tmp_path / "o.mp4").exists()
