"""Inputs, frame selection, outputs, provenance and progress (issue 9), through the CLI with
a small real model and committed fixtures."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
import pytest
import sleap_io as sio
from tests.conftest import DATA

from pose_cli.main import main

VIDEO = DATA / "videos" / "centered_pair_small.mp4"
MODEL = str(DATA / "models" / "sleapnn" / "single_instance")
ROBOT_SLP = DATA / "labels" / "small_robot_minimal.slp"
PKG = DATA / "labels" / "minimal_instance.pkg.slp"
QUIET = ["--progress", "none"]


def _frames(path) -> list[int]:
    return [lf.frame_idx for lf in sio.load_slp(str(path), open_videos=False).labeled_frames]


def _video_frames(n: int) -> np.ndarray:
    src = sio.load_video(str(VIDEO))
    return np.stack([src[i] for i in range(n)])


def test_frames_selects_exactly(tmp_path):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "3,10-12", "-o", str(out),
                 *QUIET]) == 0
    assert _frames(out) == [3, 10, 11, 12]


def test_frames_clipped_to_video_with_warning(tmp_path, capsys):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "1098-1200", "-o",
                 str(out), *QUIET]) == 0
    assert _frames(out) == [1098, 1099]
    assert "past the end" in capsys.readouterr().err


def test_default_output_path_and_provenance(tmp_path):
    video = tmp_path / "clip.mp4"
    shutil.copy(VIDEO, video)
    assert main(["track", "-i", str(video), "-m", MODEL, "--frames", "0-3", *QUIET]) == 0
    out = tmp_path / "clip.predictions.slp"
    labels = sio.load_slp(str(out), open_videos=False)
    prov = labels.provenance
    for key in ("inference_start_timestamp", "inference_end_timestamp",
                "inference_runtime_seconds", "model_paths", "model_type", "source_file",
                "frame_selection", "inference_config", "device", "system_info", "runtime"):
        assert key in prov, key
    assert prov["model_type"] == "single_instance"
    assert prov["source_file"] == str(video)
    assert prov["frame_selection"]["frames_processed"] == 4
    assert prov["frame_selection"]["frames_skipped"] == 0
    sysinfo = prov["system_info"]
    for key in ("python_version", "pose_version", "sleap_io_version", "pytorch_version"):
        assert sysinfo.get(key), key
    assert prov["inference_config"]["peak_threshold"] == 0.2
    assert prov["models"][0]["model_type"] == "single_instance"


def test_slp_input_keeps_user_instances_and_videos(tmp_path):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(PKG), "-m", MODEL, "-o", str(out), *QUIET]) == 0
    labels = sio.load_slp(str(out), open_videos=False)
    (lf,) = labels.labeled_frames
    kinds = sorted(type(i).__name__ for i in lf.instances)
    assert kinds == ["Instance", "Instance", "PredictedInstance"]
    assert len(labels.videos) == 1


def test_only_labeled_frames_on_slp(tmp_path):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(ROBOT_SLP), "-m", MODEL, "--only_labeled_frames", "-o",
                 str(out), *QUIET]) == 0
    src = sio.load_slp(str(ROBOT_SLP), open_videos=False)
    assert _frames(out) == [lf.frame_idx for lf in src.labeled_frames]


def test_video_index_reads_the_whole_video(tmp_path):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(ROBOT_SLP), "-m", MODEL, "--video_index", "0",
                 "--frames", "5-7", "-o", str(out), *QUIET]) == 0
    assert _frames(out) == [5, 6, 7]


def test_image_folder_input(tmp_path):
    import cv2

    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, frame in enumerate(_video_frames(3)):
        cv2.imwrite(str(folder / f"img_{i:03d}.png"), frame)
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(folder), "-m", MODEL, "-o", str(out), *QUIET]) == 0
    # sleap-io cannot reopen an image-sequence video with open_videos=False
    labels = sio.load_slp(str(out))
    assert [lf.frame_idx for lf in labels.labeled_frames] == [0, 1, 2]
    assert len(labels.videos[0].filename) == 3


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_hdf5_video_input(tmp_path, fmt):
    frames = _video_frames(3)
    if fmt == "channels_first":
        # sleap-io's (and SLEAP's) channels_first layout is (frames, channels, width, height)
        frames = frames.transpose(0, 3, 2, 1)
    path = tmp_path / "video.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("box", data=frames)
    out = tmp_path / "o.slp"
    ref = tmp_path / "ref.slp"
    assert main(["track", "-i", str(path), "-m", MODEL, "--video_dataset", "box",
                 "--video_input_format", fmt, "-o", str(out), *QUIET]) == 0
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "0-2", "-o", str(ref),
                 *QUIET]) == 0
    a = sio.load_slp(str(out), open_videos=False)
    b = sio.load_slp(str(ref), open_videos=False)
    for la, lb in zip(a.labeled_frames, b.labeled_frames):
        np.testing.assert_allclose(la.instances[0].numpy(), lb.instances[0].numpy(), atol=1e-4)


def test_several_inputs_one_output_each_and_rerun_skips(tmp_path, capsys):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    shutil.copy(VIDEO, a)
    shutil.copy(VIDEO, b)
    listing = tmp_path / "inputs.txt"
    listing.write_text("a.mp4\nb.mp4\n")
    args = ["track", "-i", str(listing), "-m", MODEL, "--frames", "0-1", *QUIET]
    assert main(args) == 0
    assert (tmp_path / "a.predictions.slp").exists() and (tmp_path / "b.predictions.slp").exists()
    before = (tmp_path / "a.predictions.slp").stat().st_mtime_ns
    capsys.readouterr()
    assert main(args) == 0
    assert "skipping" in capsys.readouterr().err
    assert (tmp_path / "a.predictions.slp").stat().st_mtime_ns == before
    assert main([*args, "--overwrite"]) == 0
    assert (tmp_path / "a.predictions.slp").stat().st_mtime_ns != before


def test_folder_of_videos(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    shutil.copy(VIDEO, folder / "x.mp4")
    shutil.copy(VIDEO, folder / "y.mp4")
    assert main(["track", "-i", str(folder), "-m", MODEL, "--frames", "0", *QUIET]) == 0
    assert sorted(p.name for p in folder.glob("*.predictions.slp")) == [
        "x.predictions.slp", "y.predictions.slp"]


def test_analysis_h5_output(tmp_path):
    out = tmp_path / "o.analysis.h5"
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "0-4",
                 "--output_format", "analysis_h5", "-o", str(out), *QUIET]) == 0
    with h5py.File(out) as f:
        assert "tracks" in f and "node_names" in f


def test_progress_json_lines(tmp_path, capsys):
    out = tmp_path / "o.slp"
    assert main(["track", "-i", str(VIDEO), "-m", MODEL, "--frames", "0-9", "-o", str(out),
                 "--progress", "json"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    recs = [json.loads(ln) for ln in lines]
    assert recs[-1]["done"] is True
    assert recs[-1]["n_processed"] == 10 and recs[-1]["n_total"] == 10
    assert recs[-1]["rate"] > 0
