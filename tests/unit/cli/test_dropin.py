"""sleap-nn / SLEAP 1.x command-line compatibility helpers (issue 18)."""

from __future__ import annotations

import io
import json

import pytest

from pose_cli.main import main


def test_segmentation_and_sam_options_get_one_line_and_exit_2(capsys) -> None:
    for flag in ("--fg_threshold", "--sam_checkpoint", "--merge_fragments"):
        assert main(["predict", "-i", "x.mp4", "-m", "m", flag, "1"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and flag in err[0]


def test_minus_n_is_n_frames_only_in_the_positional_predict_form() -> None:
    from pose_cli.compat import rewrite_tokens

    assert rewrite_tokens(["predict", "EXP", "v.mp4", "-n", "5"])[-2] == "--n-frames"
    assert rewrite_tokens(["predict", "-i", "v.mp4", "-m", "EXP", "-n", "5"])[-2] == "-n"
    assert rewrite_tokens(["track", "-i", "v.mp4", "-n", "2"])[-2] == "-n"


def test_predict_forms_resolve_inputs_and_models(tmp_path) -> None:
    from pose_cli.commands.predict import _inputs_and_models
    from pose_domain.errors import InvalidOptionError, ModelLoadError

    assert _inputs_and_models(None, None, ["v.mp4"], ["m"]) == (["v.mp4"], ["m"])
    (tmp_path / "export_metadata.json").write_text("{}")
    assert _inputs_and_models(str(tmp_path), "v.mp4", None, None) == (["v.mp4"], [str(tmp_path)])
    with pytest.raises(ModelLoadError):
        _inputs_and_models("not_an_export", "v.mp4", None, None)
    with pytest.raises(InvalidOptionError):
        _inputs_and_models(None, None, None, None)


def test_gui_progress_lines_have_the_reference_keys() -> None:
    from pose_adapters.gui_progress import GuiProgress

    buf = io.StringIO()
    p = GuiProgress(interval=0.0, stream=buf)
    p.start(3)
    for _ in range(3):
        p.advance()
    p.finish()
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["n_processed"] for x in lines] == [1, 2, 3]
    assert set(lines[-1]) == {"n_processed", "n_total", "rate", "eta"}


def test_sleap_track_maps_seed_004_spellings() -> None:
    from pose_app.options import TrackOptions
    from pose_cli.commands.sleap_track import sleap_track_flags

    flags = sleap_track_flags(
        output=None, frames="123-456", video_dataset="video",
        video_input_format="channels_last", video_index=None, tracker="flow",
        similarity="centroid", match="greedy", track_window=5, max_tracks=None,
        target_instance_count=None, post_connect_single_breaks=0, clean_instance_count=0,
        clean_iou_threshold=0.0, max_instances=None, batch_size=4, peak_threshold=0.2,
        gpu=None, cpu=True, only_labeled_frames=False, only_suggested_frames=False,
        no_empty_frames=False,
    )
    opts = TrackOptions.from_flags(flags)
    assert opts.tracking.use_flow and opts.tracking.features == "centroids"
    assert opts.input.video_dataset == "video" and opts.inference.device == "cpu"


def test_output_formats_repeat_and_siblings() -> None:
    from pose_adapters.slp.writer import sibling_output
    from pose_app.options import OutputOptions

    o = OutputOptions(output_format=["slp", "analysis_h5", "slp"])
    assert o.output_format == ["slp", "analysis_h5"] and o.primary_format == "slp"
    assert sibling_output("a/out.slp", "analysis_h5") == "a/out.analysis.h5"
    assert sibling_output("a/out.analysis.h5", "slp") == "a/out.slp"
    assert OutputOptions(embed=True).embed == "true"  # type: ignore[arg-type]
