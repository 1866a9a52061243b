"""``predict_frame`` / ``predict_streaming``: synchronous, tracked like ``pose track -t``,
bounded memory on long generators (issue 17)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import sleap_io as sio

import pose
from pose_app.options import TrackOptions
from pose_cli.run import run_track
from tests.conftest import DATA

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
MODELS = DATA / "models" / "sleapnn"
TOPDOWN = [str(MODELS / "centroid"), str(MODELS / "centered_instance")]
N = 12


def _frames(n: int) -> np.ndarray:
    video = sio.load_video(VIDEO)
    try:
        return np.stack([video[i] for i in range(n)])
    finally:
        video.close()


def _identities(lfs) -> list[list[tuple[str, tuple[float, float]]]]:
    """Per frame: (track name, first finite point) sorted by point."""
    out = []
    for lf in lfs:
        rows = []
        for inst in lf.instances:
            pts = inst.numpy()
            first = pts[np.isfinite(pts).all(axis=1)][0]
            rows.append((inst.track.name, (round(float(first[0]), 2), round(float(first[1]), 2))))
        out.append(sorted(rows, key=lambda r: r[1]))
    return out


@pytest.mark.slow
def test_simple_tracker_frame_by_frame_matches_pose_track_t(tmp_path):
    out = tmp_path / "cli.slp"
    opts = TrackOptions.from_flags(frames=f"0-{N - 1}", output_path=str(out), progress="none",
                                   tracking=True)
    assert run_track([VIDEO], TOPDOWN, opts) == 0
    cli = sorted(sio.load_slp(str(out)).labeled_frames, key=lambda lf: lf.frame_idx)

    predictor = pose.load_model(TOPDOWN, tracker="simple", progress_reporting="none")
    live = [predictor.predict_frame(f) for f in _frames(N)]
    assert [lf.frame_idx for lf in live] == list(range(N))
    assert _identities(live) == _identities(cli)

    predictor.reset()  # starts over: the same identities again, from frame 0
    again = list(predictor.predict_streaming(_frames(N)))
    assert _identities(again) == _identities(cli)


def test_predict_frame_keeps_track_state_until_reset():
    predictor = pose.load_model(TOPDOWN, tracker="simple", progress_reporting="none")
    frames = _frames(3)
    first = predictor.predict_frame(frames[0])
    second = predictor.predict_frame(frames[1])
    assert (first.frame_idx, second.frame_idx) == (0, 1)
    names = {i.track.name for i in second.instances}
    assert names <= {i.track.name for i in first.instances} | {"track_2", "track_3"}
    predictor.reset()
    assert predictor.predict_frame(frames[2]).frame_idx == 0


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow
def test_streaming_2000_generator_frames_in_bounded_memory():
    predictor = pose.load_model(str(MODELS / "single_instance"), progress_reporting="none",
                                batch_size=8)
    base = np.random.default_rng(0).integers(0, 255, (64, 64, 1), dtype=np.uint8)

    def frames():
        i = 0
        while True:  # unbounded: the consumer decides when to stop
            yield np.roll(base, i, axis=1)
            i += 1

    after_300 = 0.0
    seen = 0
    for i, lf in enumerate(predictor.predict_streaming(frames())):
        assert lf.frame_idx == i
        if i == 300:
            after_300 = _rss_mb()
        seen += 1
        if seen == 2000:
            break
    assert _rss_mb() - after_300 <= 40.0
