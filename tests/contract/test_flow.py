"""OpticalFlow contract: ``LucasKanadeFlow`` (OpenCV) and ``StillFlow``, on a shipped frame."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pose_app.ports.flow import OpticalFlow
from tests.conftest import DATA
from tests.fakes import StillFlow


def _lk() -> OpticalFlow:
    pytest.importorskip("cv2")
    from pose_adapters.flow import LucasKanadeFlow

    return LucasKanadeFlow()


FLOWS: dict[str, Callable[[], OpticalFlow]] = {"fake": StillFlow, "opencv": _lk}


@pytest.fixture(params=sorted(FLOWS))
def flow(request: pytest.FixtureRequest) -> OpticalFlow:
    return FLOWS[request.param]()


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    from pose_adapters.video import open_video_file

    source = open_video_file(str(DATA / "videos" / "centered_pair_small.mp4"))
    try:
        return source.read(0)
    finally:
        source.close()


#: Points on texture of frame 0 (Lucas-Kanade loses points on the flat background).
POINTS = np.array([[140.0, 200.0], [170.5, 230.25], [200.0, 260.0]])


def test_a_still_scene_keeps_the_points(flow: OpticalFlow, frame: np.ndarray) -> None:
    out = flow.shift(frame, frame.copy(), POINTS)
    assert out.shape == (3, 2) and out.dtype == np.float64
    np.testing.assert_allclose(out, POINTS, atol=0.5)


def test_lost_points_stay_lost_and_inputs_are_not_changed(
    flow: OpticalFlow, frame: np.ndarray
) -> None:
    pts = POINTS.copy()
    pts[1] = np.nan
    before = pts.copy()
    out = flow.shift(frame, frame, pts)
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()
    np.testing.assert_array_equal(pts, before)


def test_no_points(flow: OpticalFlow, frame: np.ndarray) -> None:
    out = flow.shift(frame, frame, np.zeros((0, 2)))
    assert out.shape == (0, 2) and out.dtype == np.float64
