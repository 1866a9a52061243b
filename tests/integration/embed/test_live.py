"""Live sources: a fake OpenCV capture serving a shipped video's frames (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest
import sleap_io as sio

from pose_adapters.video.live import is_live_source, live_frames
from pose_app.options import TrackOptions
from pose_cli.live import live_output_path, run_live
from pose_domain.errors import InputNotFoundError
from tests.conftest import DATA

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
SINGLE = str(DATA / "models" / "sleapnn" / "single_instance")


class FakeCapture:
    """Serves BGR frames of a shipped video; optionally 'presses Ctrl-C' at a frame."""

    def __init__(self, n: int, interrupt_at: int | None = None, opened: bool = True) -> None:
        video = sio.load_video(VIDEO)
        self.frames = [np.ascontiguousarray(np.repeat(video[i], 3, axis=2)[..., ::-1])
                       for i in range(n)]
        video.close()
        self.interrupt_at = interrupt_at
        self.opened = opened
        self.reads = 0
        self.released = False

    def isOpened(self) -> bool:
        return self.opened

    def read(self):
        if self.interrupt_at is not None and self.reads == self.interrupt_at:
            raise KeyboardInterrupt
        if self.reads >= len(self.frames):
            return False, None
        self.reads += 1
        return True, self.frames[self.reads - 1]

    def release(self) -> None:
        self.released = True


def test_live_source_names():
    assert is_live_source("0") and is_live_source("rtsp://cam/1")
    assert not is_live_source("video.mp4")
    assert live_output_path("1") == "camera1.predictions.slp"
    assert live_output_path("rtsp://10.0.0.2/live").endswith(".predictions.slp")


def test_frames_are_rgb_and_limited():
    cap = FakeCapture(5)
    frames = list(live_frames("0", max_frames=3, open_capture=lambda t: cap))
    assert len(frames) == 3 and cap.released
    np.testing.assert_array_equal(frames[0], cap.frames[0][..., ::-1])


def test_unopened_camera_is_an_input_error():
    with pytest.raises(InputNotFoundError):
        list(live_frames("3", open_capture=lambda t: FakeCapture(0, opened=False)))


def test_max_frames_run_writes_every_frame(tmp_path):
    out = tmp_path / "live.slp"
    opts = TrackOptions.from_flags(output_path=str(out), max_frames=4, progress="none")
    assert run_live("0", [SINGLE], opts, open_capture=lambda t: FakeCapture(8)) == 0
    labels = sio.load_slp(str(out))
    assert [lf.frame_idx for lf in labels.labeled_frames] == [0, 1, 2, 3]


def test_ctrl_c_ends_cleanly_with_predicted_frames_written(tmp_path):
    out = tmp_path / "live.slp"
    opts = TrackOptions.from_flags(output_path=str(out), batch_size=1, progress="none")
    cap = FakeCapture(8, interrupt_at=5)
    assert run_live("0", [SINGLE], opts, open_capture=lambda t: cap) == 0
    labels = sio.load_slp(str(out))
    assert [lf.frame_idx for lf in labels.labeled_frames] == [0, 1, 2, 3, 4]
    assert cap.released
