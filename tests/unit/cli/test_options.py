"""Options declared once: every flag has help, choices are listed, names are unique, the
Python API and the CLI build the same objects."""

from __future__ import annotations

import contextlib
import io
import re
import typing

import attrs
import pytest
from docstring_parser import parse_from_object
from rich.console import Console

from pose_app import options as opts
from pose_app.options import TrackOptions, flag_paths, option_fields
from pose_app.options_commands import (
    ExportOptions,
    ExportRecordedDefaults,
    QcOptions,
    RenderOptions,
)
from pose_app.options_eval import EvaluateOptions, EvaluateRequest
from pose_domain.errors import InvalidOptionError

GROUPS = [opts.InferenceOptions, opts.PreprocessOptions, opts.FilterOptions,
          opts.TrackingOptions, opts.OnlineTrackingOptions, opts.IdentityCountOptions,
          opts.FlowOptions, opts.KalmanOptions, opts.FrameSelection, opts.InputOptions,
          opts.OutputOptions, opts.RunOptions, EvaluateOptions, EvaluateRequest, QcOptions,
          RenderOptions, ExportOptions, ExportRecordedDefaults]


@pytest.mark.parametrize("cls", GROUPS, ids=lambda c: c.__name__)
def test_every_option_has_one_line_of_help(cls):
    documented = {p.arg_name: p.description for p in parse_from_object(cls).params}
    for f in attrs.fields(attrs.resolve_types(cls)):
        if attrs.has(f.type):
            continue
        assert documented.get(f.name), f"{cls.__name__}.{f.name} has no docstring"


def test_flag_names_are_unique_across_groups():
    names = [f.name for f in option_fields(TrackOptions)]
    assert len(names) == len(set(names))
    assert set(flag_paths(TrackOptions)) == set(names)


def _help_text(*cmd: str) -> str:
    """``pose CMD --help`` on a wide console (no wrapped flag names)."""
    from pose_cli.app import app

    buf = io.StringIO()
    with contextlib.suppress(SystemExit):
        app([*cmd, "--help"], console=Console(file=buf, width=300, color_system=None),
            result_action="return_value")
    return buf.getvalue()


def _help(capsys, *cmd):
    return re.sub(r"\s+", " ", _help_text(*cmd))


def test_track_help_describes_every_flag_and_lists_choices(capsys):
    text = _help(capsys, "track")
    for f in option_fields(TrackOptions):
        if f.metadata.get("hidden"):  # set by commands, not typed by users
            continue
        assert f"--{f.name} " in text, f.name
        if typing.get_origin(f.type) is typing.Literal:
            for choice in typing.get_args(f.type):
                assert choice in text
    assert "[choices: online, global]" in text
    assert "-b" in text and "--batch_size" in text


@pytest.mark.parametrize("cmd", ["track", "predict", "eval", "export", "qc", "render",
                                 "sleap-track", "system"])
def test_no_flag_without_help(cmd, capsys):
    out = _help_text(cmd)
    rows = [line for line in out.splitlines() if line.startswith("│") and "--" in line[:40]]
    for row in rows:
        cells = row.strip("│ ").split("  ")
        assert len([c for c in cells if c.strip()]) >= 2, f"no help: {row}"


def test_from_flags_builds_nested_groups_and_round_trips():
    o = TrackOptions.from_flags(batch_size=8, tracking=True, max_tracks=2, frames="0-9",
                                filter_min_instance_score=0.5, crop_size=64)
    assert o.inference.batch_size == 8
    assert o.inference.filters.filter_min_instance_score == 0.5
    assert o.inference.preprocess.crop_size == 64
    assert o.tracking_or_none() is o.tracking
    assert o.selection.frames == "0-9"
    assert TrackOptions.from_flags(o.flags()) == o


def test_unknown_option_is_one_clear_error():
    with pytest.raises(InvalidOptionError, match="unknown option"):
        TrackOptions.from_flags(peak_treshold=0.3)


def test_validators_run_for_the_api_too():
    with pytest.raises(InvalidOptionError, match="--batch_size must be positive"):
        TrackOptions.from_flags(batch_size=0)
    with pytest.raises(InvalidOptionError, match="--tracker must be one of"):
        TrackOptions.from_flags(tracker="kalman")


@pytest.mark.parametrize(("value", "expected"), [
    (True, "integral"), (False, "none"), (None, "none"), ("integral", "integral"),
    ("None", "none"),
])
def test_refinement_accepts_sleap_spellings(value, expected):
    # issue 17: integral_refinement=True used to turn refinement off silently
    assert TrackOptions.from_flags(integral_refinement=value).inference.integral_refinement \
        == expected


def test_qc_and_render_options_make_their_requests():
    qc = QcOptions(output="rep", max_events=7).request("a/p.slp")
    assert (qc.predictions_path, qc.output_dir, qc.config.max_events) == ("a/p.slp", "rep", 7)
    with pytest.raises(InvalidOptionError, match="--max_events must be >= 1"):
        QcOptions(output="rep", max_events=0)
    r = RenderOptions(trails=3, frame_numbers=False).request("a/p.slp")
    assert r.output_path == "a/p.render.mp4" and r.style.trails == 3
    assert not r.style.frame_numbers


def test_every_command_parses_its_flags_into_its_option_class():
    from pose_cli.commands.export import CliExportOptions
    from pose_cli.commands.render import CliRenderOptions
    from pose_cli.options import to_options

    assert to_options(RenderOptions, CliRenderOptions(scale=0.5)) == RenderOptions(scale=0.5)
    assert to_options(ExportOptions, CliExportOptions()) == ExportOptions()
    assert ExportOptions().inference_defaults()["n_points"] == 10


def test_tracking_flags_stay_flat_and_land_in_their_tracker_group():
    o = TrackOptions.from_flags(use_flow=True, of_window_size=15, kf_init_frame_count=3,
                                tracking_window_size=7, max_tracks=2, tracker="global")
    t = o.tracking
    assert (t.flow.use_flow, t.flow.of_window_size) == (True, 15)
    assert t.kalman.kf_init_frame_count == 3 and t.online.tracking_window_size == 7
    assert t.identities.max_tracks == 2 and t.tracker == "global"
    assert o.flags()["of_window_size"] == 15 and "flow" not in o.flags()
    assert opts.TrackingOptions.from_flags(max_tracks=2) == opts.TrackingOptions(
        identities=opts.IdentityCountOptions(max_tracks=2))
    with pytest.raises(InvalidOptionError, match="unknown option"):
        opts.TrackingOptions.from_flags(batch_size=2)
