"""FrameSource / VideoOpener contract: ``open_video_file`` on the shipped videos, and the fakes.

The fake opener is given sources with each video's known frame count and shape, so both run
against the same table.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from pose_app.ports.video import FrameSource, VideoOpener
from pose_domain.errors import DecodeError, InputNotFoundError
from tests.conftest import DATA
from tests.fakes import FakeFrameSource, FakeVideoOpener

VIDEOS = DATA / "videos"
#: name -> (frames, (H, W, C)) as decoded.
KNOWN: dict[str, tuple[int, tuple[int, int, int]]] = {
    "centered_pair_low_quality.mp4": (1100, (384, 384, 1)),
    "centered_pair_small.mp4": (1100, (384, 384, 1)),
    "clip.mp4": (1500, (1024, 1024, 1)),
    "small_robot.mp4": (166, (320, 560, 3)),
}


def _real() -> VideoOpener:
    from pose_adapters.video import open_video_file

    return open_video_file


def _fake() -> VideoOpener:
    return FakeVideoOpener({
        str(VIDEOS / name): FakeFrameSource(n, shape, filename=str(VIDEOS / name))
        for name, (n, shape) in KNOWN.items()
    })


OPENERS = {"fake": _fake, "sleap-io": _real}


@pytest.fixture(params=sorted(OPENERS))
def opener(request: pytest.FixtureRequest) -> VideoOpener:
    return OPENERS[request.param]()


@pytest.fixture(params=sorted(KNOWN))
def video(request: pytest.FixtureRequest, opener: VideoOpener) -> Iterator[tuple[str, FrameSource]]:
    source = opener(str(VIDEOS / request.param))
    try:
        yield request.param, source
    finally:
        source.close()


def test_size_and_reference_match_the_file(video: tuple[str, FrameSource]) -> None:
    name, source = video
    n, shape = KNOWN[name]
    assert (source.n_frames, source.shape) == (n, shape)
    ref = source.video_ref()
    assert ref.filename.endswith(name)
    assert (ref.n_frames, ref.height, ref.width, ref.channels) == (n, *shape)


def test_random_access_reads_are_frames_and_repeatable(video: tuple[str, FrameSource]) -> None:
    _, source = video
    last = source.n_frames - 1
    first = source.read(0)
    for idx in (last, last // 2, 1):
        frame = source.read(idx)
        assert frame.shape == source.shape and frame.dtype == np.uint8
    np.testing.assert_array_equal(source.read(0), first)


def test_iteration_keeps_the_order_and_marks_undecodable_frames(
    video: tuple[str, FrameSource],
) -> None:
    _, source = video
    n = source.n_frames
    got = list(source.iter_frames([2, 0, n, 1]))
    assert [i for i, _ in got] == [2, 0, n, 1]
    assert got[2][1] is None
    for _, frame in got[:2] + got[3:]:
        assert frame is not None and frame.shape == source.shape and frame.dtype == np.uint8
    assert got[1][1] is not None
    np.testing.assert_array_equal(got[1][1], source.read(0))


@pytest.mark.parametrize("idx", [-1, 10**6])
def test_reading_outside_the_video_is_a_decode_error(
    video: tuple[str, FrameSource], idx: int
) -> None:
    with pytest.raises(DecodeError):
        video[1].read(idx)


def test_missing_file_is_an_input_error(opener: VideoOpener, tmp_path: object) -> None:
    with pytest.raises(InputNotFoundError) as info:
        opener(str(VIDEOS / "missing.mp4"))
    assert info.value.hint and "\n" not in info.value.one_line()
