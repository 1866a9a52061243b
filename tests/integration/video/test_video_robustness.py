"""Video robustness (issue 10, ADR-0090): verified frame counts, seek-misread fallback, and
undecodable frames skipped (None, a warning, listed in provenance), never an exception."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import sleap_io as sio

from pose_adapters.video import open_video_file
from pose_adapters.video.sleapio_source import MediaReader
from pose_domain.errors import DecodeError
from tests.conftest import DATA

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
RGB_VIDEO = str(DATA / "videos" / "small_robot.mp4")
N_SMALL = 40
BAD_FRAME = 10


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def warnings_seen():
    handler = _Records()
    logger = logging.getLogger("pose")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def small_avi(tmp_path_factory) -> tuple[Path, list[np.ndarray]]:
    """A 40-frame MJPG AVI re-encoded from the test video, and its decoded frames."""
    folder = tmp_path_factory.mktemp("videos")
    cap = cv2.VideoCapture(VIDEO)
    frames = [cap.read()[1] for _ in range(N_SMALL)]
    cap.release()
    h, w = frames[0].shape[:2]
    path = folder / "small.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (w, h), True)
    for f in frames:
        writer.write(f)
    writer.release()
    video = sio.Video.from_filename(str(path), plugin="opencv")
    decoded = [np.asarray(video[i]) for i in range(N_SMALL)]
    video.close()
    return path, decoded


@pytest.fixture(scope="module")
def truncated_avi(small_avi) -> Path:
    """The AVI with its last 40% cut off: the header still says 40 frames."""
    path, _ = small_avi
    data = path.read_bytes()
    out = path.with_name("truncated.avi")
    out.write_bytes(data[: int(len(data) * 0.6)])
    return out


@pytest.fixture(scope="module")
def damaged_avi(small_avi) -> Path:
    """The AVI with the JPEG data of frame 10 overwritten by zeros."""
    path, _ = small_avi
    data = bytearray(path.read_bytes())
    chunks = []
    at = data.find(b"movi")
    while (at := data.find(b"00dc", at + 1)) != -1:
        chunks.append(at)
    start = chunks[BAD_FRAME] + 8
    data[start:start + 2000] = bytes(2000)
    out = path.with_name("damaged.avi")
    out.write_bytes(bytes(data))
    return out


def _sequential_count(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n


@pytest.mark.parametrize("path", [VIDEO, RGB_VIDEO])
def test_frames_are_bit_identical_to_sleap_io(path):
    """Forward reading across gaps, seeks backwards and far ahead: the same pixels as
    ``sleap_io.Video[i]`` (which the reference used)."""
    src = open_video_file(path)
    pattern = [0, 1, 2, 5, 17, 18, 40, 41, 75, 160, 3, 4, 120, 121, 165]
    got = dict(src.iter_frames([i for i in pattern if i < src.n_frames]))
    src.close()
    for i, frame in got.items():
        fresh = sio.Video.from_filename(path, plugin="opencv")
        assert frame is not None
        assert frame.dtype == np.uint8 and frame.shape == tuple(fresh.shape[1:])
        assert np.array_equal(frame, fresh[i]), i
        fresh.close()


def test_header_frame_count_is_verified(truncated_avi, small_avi, warnings_seen):
    real = _sequential_count(truncated_avi)
    cap = cv2.VideoCapture(str(truncated_avi))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == N_SMALL > real  # the header is wrong
    cap.release()

    src = open_video_file(str(truncated_avi))
    assert src.n_frames == real
    assert src.video_ref().n_frames == real
    count_warnings = [m for m in warnings_seen if "header says" in m]
    assert len(count_warnings) == 1 and f"only {real}" in count_warnings[0]
    _, decoded = small_avi
    got = list(src.iter_frames(range(real)))
    assert all(f is not None for _, f in got)
    # The last frame is cut mid-image (it decodes, with garbage at the bottom); the rest match.
    wrong = [i for i, f in got[:-1] if not np.array_equal(f, decoded[i])]
    assert wrong == []
    # Past the real end: None, never an exception.
    assert list(src.iter_frames([real, N_SMALL - 1])) == [(real, None), (N_SMALL - 1, None)]
    with pytest.raises(DecodeError, match="could not be decoded"):
        src.read(N_SMALL - 1)
    src.close()


def test_undecodable_frame_is_skipped_and_the_rest_stay_exact(damaged_avi, small_avi,
                                                              warnings_seen):
    _, decoded = small_avi
    src = open_video_file(str(damaged_avi))
    assert src.n_frames == N_SMALL
    for pattern in (range(N_SMALL), [0, 4, 8, 12, 16, 30, 29, 9, 10, 11]):
        got = list(src.iter_frames(list(pattern)))
        assert [i for i, f in got if f is None] == ([BAD_FRAME] if BAD_FRAME in pattern else [])
        wrong = [i for i, f in got if f is not None and not np.array_equal(f, decoded[i])]
        assert wrong == []
    assert sum(f"frame {BAD_FRAME} " in m for m in warnings_seen) == 2
    src.close()
    assert any("could not be decoded and were skipped" in m for m in warnings_seen)


class FakeCapture:
    """A capture over numbered frames whose seeks land ``seek_error`` frames early and whose
    header may claim more frames than it has."""

    def __init__(self, n_frames: int, seek_error: int = 0) -> None:
        self.frames = [np.full((4, 4, 3), i, np.int32) for i in range(n_frames)]
        self.seek_error = seek_error
        self.pos = 0
        self.seeks = 0

    def get(self, prop: int) -> float:
        return float(self.pos)

    def set(self, prop: int, value: float) -> bool:
        self.seeks += 1
        self.pos = max(0, int(value) - self.seek_error)
        return True

    def grab(self) -> bool:
        self.pos += 1
        return self.pos <= len(self.frames)

    def read(self) -> tuple[bool, Any]:
        if self.pos >= len(self.frames):
            return False, None
        self.pos += 1
        return True, self.frames[self.pos - 1]

    def release(self) -> None:
        pass


def test_seek_misread_falls_back_to_sequential_decoding(warnings_seen):
    opened: list[FakeCapture] = []

    def opener(_: str) -> FakeCapture:
        opened.append(FakeCapture(300, seek_error=3))
        return opened[-1]

    reader = MediaReader("fake.mp4", grayscale=False, open_capture=opener)
    order = [0, 1, 2, 10, 200, 201, 250, 100, 299]
    got = {i: reader.read(i) for i in order}
    assert all(int(f[0, 0, 0]) == i for i, f in got.items())  # every frame is the right one
    assert reader.sequential and reader.seek_misreads == 1
    assert sum("landed on frame 197 instead of 200" in m for m in warnings_seen) == 1
    assert opened[-1].seeks == 0, "after the misread no seek is trusted again"


def test_forward_gaps_are_read_without_seeking():
    caps: list[FakeCapture] = []

    def opener(_: str) -> FakeCapture:
        caps.append(FakeCapture(100))
        return caps[-1]

    reader = MediaReader("fake.mp4", grayscale=True, open_capture=opener)
    frames = [reader.read(i) for i in (0, 2, 5, 9, 30)]
    assert [int(f[0, 0, 0]) for f in frames] == [0, 2, 5, 9, 30]
    assert frames[0].shape == (4, 4, 1)
    assert caps[0].seeks == 0
    assert int(reader.read(99)[0, 0, 0]) == 99 and caps[0].seeks == 1  # far: one seek
    assert not reader.sequential


def test_frame_count_binary_search_on_a_short_stream():
    reader = MediaReader("fake.mp4", None, open_capture=lambda _: FakeCapture(37))
    assert reader.verify_count(1000) == 37
    assert reader.verify_count(37) == 37
    assert reader.verify_count(20) == 20
    assert MediaReader("x", None, open_capture=lambda _: FakeCapture(0)).verify_count(5) == 0


def test_pose_track_skips_and_lists_undecodable_frames(damaged_avi, tmp_path, capsys):
    from pose_cli.main import main

    out = tmp_path / "pred.slp"
    rc = main(["track", "-i", str(damaged_avi), "-m", str(DATA / "models" / "sleapnn" /
               "single_instance"), "-o", str(out), "--progress", "none"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert f"frame {BAD_FRAME} of" in err and "could not be decoded" in err
    prov = sio.load_slp(str(out)).provenance["frame_selection"]
    assert prov["frames_skipped"] == 1
    assert prov["skipped_frames"] == [[0, BAD_FRAME]]
    assert prov["frames_processed"] == N_SMALL - 1
