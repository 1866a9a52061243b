"""Injection through the public API (issue 23, ADR-0142): a caller's frame source (a camera SDK
stand-in) and per-frame sink give the predictions ``pose track`` gives on the same frames."""

from __future__ import annotations

import numpy as np
import sleap_io as sio

import pose
from pose_cli.main import main
from tests.conftest import DATA
from tests.fakes.predict import MemoryWriter
from tests.fakes.stream import CollectingSink, FakeCamera

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
MODEL = str(DATA / "models" / "sleapnn" / "bottomup")
N = 6


def _frames() -> list[np.ndarray]:
    video = sio.load_video(VIDEO)
    try:
        return [video[i] for i in range(N)]
    finally:
        video.close()


def _by_score(points: list[np.ndarray], scores: list[float]) -> np.ndarray:
    order = np.argsort(-np.asarray(scores), kind="stable")
    return np.stack([points[k] for k in order]) if points else np.zeros((0, 0, 2))


def test_injected_camera_and_sink_give_pose_tracks_predictions(tmp_path):
    out = tmp_path / "track.slp"
    assert main(["track", "-i", VIDEO, "--frames", f"0-{N - 1}", "-m", MODEL, "-t",
                 "--max_instances", "2", "-o", str(out), "--progress", "none"]) == 0
    tracked = {lf.frame_idx: lf for lf in sio.load_slp(str(out)).labeled_frames}

    camera, sink, writer = FakeCamera(_frames()), CollectingSink(), MemoryWriter()
    predictor = pose.Predictor.from_model_paths(
        MODEL, adapters=pose.Adapters(sink=sink, writer=writer), progress="none",
        tracking=True, max_instances=2)
    result = predictor.run_stream(camera, output_path="camera.slp")

    assert camera.closed and result.frames_processed == N
    assert [f.frame_idx for f in sink.frames] == list(range(N))
    assert writer.written["camera.slp"][0] is result.dataset
    for frame in sink.frames:
        want = tracked[frame.frame_idx].predicted_instances
        got = _by_score([i.points for i in frame.instances], [i.score for i in frame.instances])
        ref = _by_score([i.numpy() for i in want], [i.score for i in want])
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, atol=1e-3, equal_nan=True)
        assert sorted(i.track.name for i in frame.instances) == sorted(
            i.track.name for i in want)
