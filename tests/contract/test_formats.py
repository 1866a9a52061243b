"""Output formats and input kinds: the same assertions on the fakes, pose's own adapters and the
installed plug-ins (ADR-0120, ADR-0170)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import h5py
import numpy as np
import pytest

from pose_adapters.formats import BUILTIN_OUTPUT_FORMATS, registry
from pose_adapters.formats._tables import pose_table
from pose_adapters.formats.inputs import BUILTIN_INPUT_KINDS, Hdf5VideoKind, ListFileKind
from pose_adapters.formats.writer import write_format
from pose_app.dataset import Dataset, VideoRef
from pose_app.ports.formats import InputKind, OutputFormat, WriteContext
from pose_domain.errors import InputNotFoundError, OutputWriteError, UnsupportedInputError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.skeleton import Skeleton
from tests.conftest import DATA
from tests.fakes.formats import JsonFramesFormat, SuffixKind

OUTPUTS: list[OutputFormat] = [JsonFramesFormat(), *registry().outputs]
KINDS: list[InputKind] = [SuffixKind(".x"), *BUILTIN_INPUT_KINDS]


def _inst(x: float, track: Track | None, score: float = 0.9) -> PredictedInstance:
    return PredictedInstance(points=np.array([[x, 1.0], [np.nan, np.nan]]),
                             point_scores=np.array([score, 0.0]), score=2 * score, track=track)


def _dataset() -> Dataset:
    a, b = Track("a"), Track("b")
    frames = [
        LabeledFrame(0, 0, [_inst(1, a), _inst(2, b)]),
        LabeledFrame(0, 2, [_inst(3, b), Instance(points=np.array([[4.0, 1], [5, 1]]), track=b),
                            _inst(6, b)]),
    ]
    video = str(DATA / "videos" / "centered_pair_small.mp4")  # pkg.slp embeds its frames
    return Dataset(videos=[VideoRef(filename=video, n_frames=0)],
                   skeleton=Skeleton(nodes=["head", "tail"], edges=[(0, 1)]),
                   frames=frames, tracks=[a, b], run_frames=[(0, i) for i in range(4)])


@pytest.mark.parametrize("fmt", OUTPUTS, ids=lambda f: f.name)
def test_a_format_writes_a_complete_file_with_the_umask_mode(fmt: OutputFormat,
                                                             tmp_path: Path) -> None:
    out = tmp_path / f"out{fmt.suffix}"
    old = os.umask(0o022)
    try:
        write_format(fmt, _dataset(), str(out), WriteContext())
        write_format(fmt, _dataset(), str(out), WriteContext())  # replaced in place
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary left


def test_a_failing_format_leaves_no_file_and_says_one_line(tmp_path: Path) -> None:
    class Broken(JsonFramesFormat):
        def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
            Path(path).write_text("half")
            raise ValueError("disk says no")

    with pytest.raises(OutputWriteError, match=r"as json_frames: ValueError: disk says no"):
        write_format(Broken(), _dataset(), str(tmp_path / "o.frames.json"), WriteContext())
    assert list(tmp_path.iterdir()) == []


def test_rows_cover_the_run_and_prefer_user_then_last_predicted_instances() -> None:
    table = pose_table(_dataset())
    assert table.individuals == ["a", "b"] and table.nodes == ["head", "tail"]
    assert table.points.shape == (4, 2, 2, 2)  # frames 0..3 of the run, frame 3 empty
    assert table.points[0, :, 0, 0].tolist() == [1, 2]
    assert table.points[2, 1, 0, 0] == 4  # the user instance of track b wins
    assert np.isnan(table.scores[2, 1]).all()  # ...and has no scores
    assert np.isnan(table.points[[1, 3]]).all() and np.isnan(table.points[0, :, 1]).all()
    assert table.scores[0, 0, 0] == pytest.approx(0.9)
    assert table.fps_known and table.fps > 0  # from the video


def test_untracked_instances_are_numbered_by_their_order() -> None:
    ds = _dataset()
    ds.tracks = []
    for f in ds.frames:
        for inst in f.instances:
            inst.track = None
    table = pose_table(ds)
    assert table.individuals == ["id_0", "id_1", "id_2"]
    assert table.points[2, :, 0, 0].tolist() == [3, 4, 6]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_an_input_kind_recognises_without_raising(kind: InputKind, tmp_path: Path) -> None:
    for path in (str(tmp_path), str(tmp_path / "v.mp4"), "0", str(tmp_path / "a.x")):
        assert isinstance(kind.recognises(path), bool)


def test_a_text_file_given_as_the_video_names_its_line(tmp_path: Path) -> None:
    notes = tmp_path / "video.txt"
    notes.write_text("# my videos\nsession 1 was fine\n")
    with pytest.raises(InputNotFoundError, match=r"video.txt, line 2: no such input"):
        ListFileKind().check(str(notes), None, "channels_last")
    notes.write_bytes(b"\x00\xff\xfe binary")
    with pytest.raises(UnsupportedInputError, match="is not a list of inputs"):
        ListFileKind().check(str(notes), None, "channels_last")


def test_an_hdf5_video_in_the_wrong_layout_fails_its_check(tmp_path: Path) -> None:
    path = tmp_path / "v.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("video", data=np.zeros((2, 3, 8, 8), np.uint8))  # channels first
    kind = Hdf5VideoKind()
    with pytest.raises(UnsupportedInputError, match="add --video_input_format channels_first"):
        kind.check(str(path), "video", "channels_last")
    kind.check(str(path), "video", "channels_first")
    with pytest.raises(UnsupportedInputError, match="no dataset 'frames'"):
        kind.check(str(path), "frames", "channels_last")


def test_builtins_come_first_and_keep_their_names() -> None:
    names = registry().output_names()
    assert names[: len(BUILTIN_OUTPUT_FORMATS)] == [f.name for f in BUILTIN_OUTPUT_FORMATS]
    assert len(set(names)) == len(names)
