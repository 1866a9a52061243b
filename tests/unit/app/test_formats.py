"""The format registry, output naming, conversion, empty frames, provenance and the resize note
(use cases with fakes; issue 25)."""

from __future__ import annotations

import json

import pytest

from pose_app.convert import ConvertUseCase
from pose_app.dataset import Dataset, VideoRef
from pose_app.formats import FormatRegistry, format_path
from pose_app.options import FrameSelection, InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.preprocess import Sizing, resize_note
from pose_domain.errors import InputNotFoundError, InvalidOptionError
from tests.fakes.formats import JsonFramesFormat, SuffixKind
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)
from tests.fakes.predict import MemoryWriter

KNOWN = (".slp", ".pkg.slp", ".analysis.h5", ".nwb", ".dlc.h5", ".dlc.csv")


@pytest.mark.parametrize(("path", "suffix", "expected"), [
    ("out/W.slp", ".analysis.h5", "out/W.analysis.h5"),  # the reference's rule
    ("out/W.predictions.slp", ".analysis.h5", "out/W.analysis.h5"),
    ("out/W.slp", ".slp", "out/W.slp"),
    ("out/W.analysis.h5", ".analysis.h5", "out/W.analysis.h5"),
    ("out/W.analysis.h5", ".slp", "out/W.slp"),
    ("out/W.h5", ".analysis.h5", "out/W.analysis.h5"),  # else the last suffix
    ("out/W.slp", ".pkg.slp", "out/W.pkg.slp"),
    ("out/W.slp", ".nwb", "out/W.nwb"),
    ("a.b/W", ".nwb", "a.b/W.nwb"),
    ("out/W", ".slp", "out/W"),  # the .slp goes to -o as given
    ("out/W.h5", ".slp", "out/W.h5"),
])
def test_a_format_names_its_file_after_the_output(path, suffix, expected):
    assert format_path(path, suffix, KNOWN) == expected


def test_o_is_named_for_the_first_format_as_the_reference_names_it():
    """``-o W.slp --output_format analysis_h5`` writes ``W.analysis.h5`` (and no ``.slp``)."""
    from pose_app.options import TrackOptions
    from pose_app.runs.job import TrackJob, output_for

    suffixes = {"slp": ".slp", "analysis_h5": ".analysis.h5", "nwb": ".nwb"}
    assert output_for("v.mp4", "a/W.slp", "analysis_h5", False, suffixes) == "a/W.analysis.h5"
    assert output_for("v.mp4", "a/W.slp", "slp", False, suffixes) == "a/W.slp"
    assert output_for("d/v.mp4", None, "nwb", False, suffixes) == "d/v.nwb"
    assert output_for("d/v.mp4", None, "slp", False, suffixes) == "d/v.predictions.slp"
    job = TrackJob(model_paths=("m",), suffixes=tuple(suffixes.items()),
                   options=TrackOptions.from_flags({"output_path": "W.slp",
                                                    "output_format": ["nwb", "slp"]}))
    assert job.output("v.mp4") == "W.nwb"


def test_the_registry_names_its_choices_on_an_unknown_format():
    registry = FormatRegistry((JsonFramesFormat(),))
    with pytest.raises(InvalidOptionError, match="one of json_frames, got 'nwb'"):
        registry.output("nwb")
    assert registry.format_of("x/out.frames.json") == "json_frames"
    with pytest.raises(InvalidOptionError, match="cannot tell the format"):
        registry.format_of("x/out.csv")


def test_the_registry_finds_the_input_kind_that_recognises_a_path():
    a, b = SuffixKind(".a"), SuffixKind(".b")
    registry = FormatRegistry((), (a, b))
    assert registry.input_kind("v.b") is b and registry.input_kind("v.c") is None


def _dataset() -> Dataset:
    return Dataset(videos=[VideoRef(filename="v.mp4")], skeleton=single_instance_spec().skeleton)


def test_convert_writes_the_format_the_suffix_names():
    store = InMemoryLabelsStore({"in.slp": _dataset()})
    writer = MemoryWriter()
    convert = ConvertUseCase(labels_store=store, writer=writer,
                             registry=FormatRegistry((JsonFramesFormat(),)))
    result = convert("in.slp", "out.frames.json")
    assert result.output_format == "json_frames"
    assert writer.written["out.frames.json"][1] == "json_frames"


def test_convert_refuses_an_unknown_format_before_reading_the_input():
    convert = ConvertUseCase(labels_store=InMemoryLabelsStore(), writer=MemoryWriter(),
                             registry=FormatRegistry((JsonFramesFormat(),)))
    with pytest.raises(InvalidOptionError):
        convert("missing.slp", "out.x", "nwb")
    with pytest.raises(InputNotFoundError):
        convert("missing.slp", "out.x", "json_frames")


def _empty_on_odd(frame: int) -> list[tuple[float, float]]:
    """Both nodes found on even frames; nowhere near the image on odd ones (no instance)."""
    return [(10.0, 20.0), (30.0, 40.0)] if frame % 2 == 0 else [(-999.0, -999.0)] * 2


def _run(selection: FrameSelection) -> Dataset:
    spec = single_instance_spec()
    runtime = FakeRuntime(spec, _empty_on_odd)
    uc = PredictUseCase(loader=FakeLoader({"m": LoadedModel(spec=spec, runtime=runtime)}),
                        resizer=NearestResizer(), labels_store=InMemoryLabelsStore(),
                        open_video=lambda path, **kw: FakeFrameSource(n_frames=6))
    return uc(PredictRequest(data_path="v.mp4", model_paths=("m",), selection=selection,
                             inference=InferenceOptions(device="auto"))).dataset


def test_predict_keeps_empty_frames_and_track_drops_them_for_single_instance():
    kept = _run(FrameSelection(empty_frames="keep"))
    dropped = _run(FrameSelection())
    assert [f.frame_idx for f in kept.frames] == list(range(6))
    assert [f.frame_idx for f in dropped.frames] == [0, 2, 4]
    no_empty = _run(FrameSelection(empty_frames="keep", no_empty_frames=True))
    assert [f.frame_idx for f in no_empty.frames] == [0, 2, 4]
    # the run's frames are known either way (NWB and DeepLabCut rows)
    assert dropped.run_frames == [(0, i) for i in range(6)]


def test_provenance_carries_the_documented_keys_and_the_device_used():
    prov = _run(FrameSelection()).provenance
    documented = ["timestamp_start", "timestamp_end", "runtime_sec", "sleap_nn_version",
                  "sleap_io_version", "torch_version", "model_paths", "model_type", "head_type",
                  "source_path", "source_video_paths", "peak_threshold", "batch_size",
                  "max_instances", "device", "python_version", "cuda_version", "gpu_names"]
    assert [k for k in documented if k not in prov] == []
    assert prov["device"] != "auto" and prov["device_requested"] == "auto"
    assert prov["source_video_paths"] == ["fake.mp4"]
    json.dumps(prov)


def test_a_forced_resize_is_said_with_the_flag_that_changes_it():
    note = resize_note(2048, 2048, Sizing(max_height=1024, max_width=1024))
    assert note is not None and "2048×2048" in note and "1024×1024" in note
    assert "--max_height" in note
    assert resize_note(1024, 1024, Sizing(max_height=1024, max_width=1024)) is None
    assert resize_note(512, 512, Sizing()) is None
