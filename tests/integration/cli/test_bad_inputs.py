"""The bad-input catalogue (issue 10): every case gets a one-line message naming the problem,
a non-zero exit code, no traceback, and no output file."""

from __future__ import annotations

import os
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest
from tests.conftest import DATA

from pose_cli.main import main

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
RGB_VIDEO = str(DATA / "videos" / "small_robot.mp4")
PKG = str(DATA / "labels" / "minimal_instance.pkg.slp")
M = DATA / "models" / "sleapnn"
L = DATA / "models" / "legacy"


class _Payload:
    """Pickles to a call of os.system: a crafted checkpoint must never run it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _setup(case: str, tmp: Path) -> list[str]:
    """Build the case's files under ``tmp``; return the ``pose`` arguments."""
    out = ["-o", str(tmp / "out.slp")]
    track = ["track", "--progress", "none"]
    if case == "missing_model":
        return [*track, "-i", VIDEO, "-m", str(tmp / "nope"), *out]
    if case == "model_folder_without_ckpt":
        d = tmp / "m"
        d.mkdir()
        shutil.copy(M / "single_instance" / "training_config.yaml", d)
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "model_folder_without_config":
        d = tmp / "m"
        d.mkdir()
        shutil.copy(M / "single_instance" / "best.ckpt", d)
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "corrupt_ckpt":
        d = _copy_model(M / "single_instance", tmp / "m")
        (d / "best.ckpt").write_bytes(os.urandom(4096))
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "truncated_ckpt":
        d = _copy_model(M / "single_instance", tmp / "m")
        data = (d / "best.ckpt").read_bytes()
        (d / "best.ckpt").write_bytes(data[: len(data) // 3])
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "pickle_payload_ckpt":
        d = _copy_model(M / "single_instance", tmp / "m")
        marker = tmp / "pwned"
        with zipfile.ZipFile(d / "best.ckpt", "w") as z:
            z.writestr("best/data.pkl", pickle.dumps({"state_dict": _Payload(marker)}))
            z.writestr("best/byteorder", "little")
            z.writestr("best/version", "3\n")
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "corrupt_yaml":
        d = _copy_model(M / "single_instance", tmp / "m")
        (d / "training_config.yaml").write_text("model_config: [unclosed\n  - : :\n")
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "unknown_model_type":
        d = _copy_model(M / "single_instance", tmp / "m")
        text = (d / "training_config.yaml").read_text()
        text = text.replace("single_instance:\n", "weird_head:\n", 1)
        (d / "training_config.yaml").write_text(text)
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "corrupt_h5":
        d = _copy_model(L / "minimal_instance.UNet.centroid", tmp / "m")
        (d / "best_model.h5").write_bytes(b"not an hdf5 file" * 100)
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "corrupt_legacy_json":
        d = _copy_model(L / "minimal_instance.UNet.centroid", tmp / "m")
        (d / "training_config.json").write_text("{not json")
        return [*track, "-i", VIDEO, "-m", str(d), *out]
    if case == "incompatible_models":
        return [*track, "-i", VIDEO, "-m", str(M / "single_instance"), "-m",
                str(M / "bottomup"), *out]
    if case == "two_centroid_models":
        return [*track, "-i", VIDEO, "-m", str(M / "centroid"), "-m", str(M / "centroid"),
                *out]
    if case == "centered_instance_alone_on_video":
        return [*track, "-i", VIDEO, "-m", str(M / "centered_instance"), *out]
    if case == "missing_video":
        return [*track, "-i", str(tmp / "missing.mp4"), "-m", str(M / "single_instance"), *out]
    if case == "empty_video":
        (tmp / "empty.mp4").write_bytes(b"")
        return [*track, "-i", str(tmp / "empty.mp4"), "-m", str(M / "single_instance"), *out]
    if case == "truncated_video":
        (tmp / "trunc.mp4").write_bytes(Path(VIDEO).read_bytes()[:2000])
        return [*track, "-i", str(tmp / "trunc.mp4"), "-m", str(M / "single_instance"), *out]
    if case == "not_a_video":
        (tmp / "notes.mp4").write_text("hello")
        return [*track, "-i", str(tmp / "notes.mp4"), "-m", str(M / "single_instance"), *out]
    if case == "slp_with_missing_video":
        import sleap_io as sio

        labels = sio.load_slp(str(DATA / "labels" / "centered_pair_predictions.slp"))
        labels.videos[0].replace_filename(str(tmp / "gone.mp4"), open=False)
        sio.save_slp(labels, str(tmp / "moved.slp"))
        return [*track, "-i", str(tmp / "moved.slp"), "--frames", "0-3", "-m",
                str(M / "single_instance"), *out]
    if case == "frames_malformed":
        return [*track, "-i", VIDEO, "--frames", "1-x", "-m", str(M / "single_instance"), *out]
    if case == "frames_select_nothing":
        return [*track, "-i", VIDEO, "--frames", "5000-6000", "-m", str(M / "single_instance"),
                *out]
    if case == "video_index_out_of_range":
        return [*track, "-i", PKG, "--video_index", "3", "-m", str(M / "single_instance"), *out]
    if case == "output_folder_missing":
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(M / "single_instance"),
                "-o", str(tmp / "no" / "such" / "dir" / "out.slp")]
    if case == "output_parent_is_a_file":
        (tmp / "afile").write_text("x")
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(M / "single_instance"),
                "-o", str(tmp / "afile" / "out.slp")]
    if case == "unknown_option_value":
        return [*track, "-i", VIDEO, "-m", str(M / "bottomup"), "--filter_overlapping_method",
                "area", *out]
    if case == "unknown_flag":
        return [*track, "-i", VIDEO, "-m", str(M / "bottomup"), "--no-such-flag", *out]
    if case == "non_numeric_threshold":
        return [*track, "-i", VIDEO, "-m", str(M / "bottomup"), "--peak_threshold", "high",
                *out]
    if case == "zero_batch_size":
        return [*track, "-i", VIDEO, "-m", str(M / "bottomup"), "--batch_size", "0", *out]
    if case == "unknown_runtime":
        return [*track, "-i", VIDEO, "-m", str(M / "bottomup"), "--runtime", "tpu", *out]
    if case == "cuda_without_gpu":
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(M / "single_instance"),
                "--device", "cuda", *out]
    if case == "rgb_and_grayscale":
        return [*track, "-i", VIDEO, "-m", str(M / "single_instance"), "--ensure_rgb",
                "--ensure_grayscale", *out]
    if case == "export_folder_without_metadata":
        (tmp / "exp").mkdir()
        return ["predict", str(tmp / "exp"), VIDEO, *out]
    if case == "track_only_on_video":
        return [*track, "-i", VIDEO, "-t", *out]
    if case == "nothing_to_do":
        return [*track, "-i", VIDEO, *out]
    if case == "input_list_with_missing_path":
        (tmp / "list.txt").write_text(f"{VIDEO}\n{tmp / 'missing.mp4'}\n")
        return [*track, "-i", str(tmp / "list.txt"), "-m", str(M / "single_instance")]
    if case == "output_with_several_inputs":
        return [*track, "-i", VIDEO, "-i", RGB_VIDEO, "-m", str(M / "single_instance"), *out]
    if case == "eval_missing_ground_truth":
        return ["eval", "-g", str(tmp / "gt.slp"), "-p", PKG]
    if case == "eval_corrupt_prediction":
        (tmp / "pred.slp").write_bytes(b"garbage")
        return ["eval", "-g", PKG, "-p", str(tmp / "pred.slp")]
    # --- added with the reliability work (H11) -------------------------------------------
    topdown = ["-m", str(M / "centroid"), "-m", str(M / "centered_instance")]
    if case == "crop_size_zero":
        return [*track, "-i", VIDEO, "--frames", "0-1", *topdown, "--crop_size", "0", *out]
    if case == "anchor_part_not_in_skeleton":
        return [*track, "-i", VIDEO, "--frames", "0-1", *topdown, "--anchor_part", "tail_tip",
                *out]
    if case == "max_instances_zero":
        return [*track, "-i", VIDEO, "--frames", "0-1", *topdown, "--max_instances", "0", *out]
    if case == "tracking_window_zero":
        return [*track, "-i", VIDEO, "--frames", "0-1", *topdown, "-t",
                "--tracking_window_size", "0", *out]
    if case == "slp_without_frames":
        import sleap_io as sio

        labels = sio.load_slp(PKG)
        empty = sio.Labels(videos=labels.videos, skeletons=labels.skeletons, labeled_frames=[])
        sio.save_slp(empty, str(tmp / "empty.slp"), embed=False)
        return [*track, "-i", str(tmp / "empty.slp"), "-m", str(M / "single_instance"), *out]
    if case == "checkpoint_of_another_architecture":
        d = _copy_model(M / "centroid", tmp / "m")
        shutil.copy(M / "bottomup" / "best.ckpt", d / "best.ckpt")
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(d), *out]
    if case == "config_with_null_skeleton":  # found by fuzzing the config reader
        d = _copy_model(M / "single_instance", tmp / "m")
        text = (d / "training_config.yaml").read_text()
        text = text.replace("  skeletons:\n", "  skeletons:\n  - null\n  old_skeletons:\n", 1)
        (d / "training_config.yaml").write_text(text)
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(d), *out]
    if case == "config_with_text_for_a_number":  # found by fuzzing: crashed the network build
        d = _copy_model(M / "single_instance", tmp / "m")
        text = (d / "training_config.yaml").read_text()
        (d / "training_config.yaml").write_text(text.replace("filters: 8", "filters: eight", 1))
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(d), *out]
    if case == "output_is_a_directory":
        (tmp / "outdir").mkdir()
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(M / "single_instance"),
                "-o", str(tmp / "outdir")]
    if case == "resume_with_other_flags":
        from pose_adapters.chunks import NpzChunkStore, partial_dir_for

        NpzChunkStore(partial_dir_for(str(tmp / "out.slp"))).begin(
            {"data_path": "another.mp4"}, resume=False)
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(M / "single_instance"),
                "--resume", *out]
    if case == "bad_chunk_size_env":
        os.environ["POSE_CHUNK_FRAMES"] = "ten"  # restored by the test
        return [*track, "-i", VIDEO, "--frames", "0-1", "-m", str(M / "single_instance"), *out]
    if case == "frames_huge_range":
        return [*track, "-i", VIDEO, "--frames", "0-99999999999", "-m",
                str(M / "single_instance"), *out]
    if case == "frames_open_range_in_track_only":
        return [*track, "-i", str(DATA / "labels" / "centered_pair_predictions.untracked.slp"),
                "-t", "--frames", "5-", *out]
    raise AssertionError(case)


CASES = [
    "missing_model", "model_folder_without_ckpt", "model_folder_without_config",
    "corrupt_ckpt", "truncated_ckpt", "pickle_payload_ckpt", "corrupt_yaml",
    "unknown_model_type", "corrupt_h5", "corrupt_legacy_json", "incompatible_models",
    "two_centroid_models", "centered_instance_alone_on_video", "missing_video", "empty_video",
    "truncated_video", "not_a_video", "slp_with_missing_video", "frames_malformed",
    "frames_select_nothing", "video_index_out_of_range", "output_folder_missing",
    "output_parent_is_a_file", "unknown_option_value", "unknown_flag",
    "non_numeric_threshold", "zero_batch_size", "unknown_runtime", "cuda_without_gpu",
    "rgb_and_grayscale", "export_folder_without_metadata", "track_only_on_video",
    "nothing_to_do", "input_list_with_missing_path", "output_with_several_inputs",
    "eval_missing_ground_truth", "eval_corrupt_prediction",
    # added with the reliability work (H11)
    "crop_size_zero", "anchor_part_not_in_skeleton", "max_instances_zero",
    "tracking_window_zero", "slp_without_frames", "checkpoint_of_another_architecture",
    "config_with_null_skeleton", "config_with_text_for_a_number", "output_is_a_directory",
    "resume_with_other_flags", "bad_chunk_size_env", "frames_huge_range",
    "frames_open_range_in_track_only",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_one_line_error(case, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POSE_CHUNK_FRAMES", os.environ.get("POSE_CHUNK_FRAMES", "100"))
    args = _setup(case, tmp_path)
    if case == "cuda_without_gpu":
        import torch

        if torch.cuda.is_available():
            pytest.skip("a GPU is present")
    rc = main(args)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("pose: error:")]
    assert rc in (1, 2), (rc, err)
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "internal error" not in lines[0], lines[0]
    assert not (tmp_path / "out.slp").exists()
    if case == "pickle_payload_ckpt":
        assert not (tmp_path / "pwned").exists(), "the pickle payload ran"
    print(f"{case}: rc={rc}: {lines[0]}")
