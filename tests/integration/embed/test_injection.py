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


def test_a_callers_runtime_and_tracker_run_behind_the_public_api():
    """The model folder gives the spec; the caller's runtime runs it (no torch needed)."""
    from pose_app.options import TrackOptions
    from pose_app.predict import PredictRequest
    from pose_app.track import build_tracker
    from tests.fakes.runtime import FakeRuntime, NearestResizer
    from tests.fakes.video import FakeFrameSource

    made, trackers = [], []

    class CallersRuntime:  # infer returns the public pose.NetworkOutputs
        name = "callers"

        def __init__(self, spec):
            self.maps = FakeRuntime(spec, lambda f: [(40.0 + f, 50.0)] * spec.skeleton.n_nodes)

        def infer(self, images):
            return pose.NetworkOutputs(confmaps=self.maps.infer(images).confmaps)

    def runtime(spec):
        made.append(spec.model_type)
        return CallersRuntime(spec)

    def tracker(options, max_instances):
        trackers.append(build_tracker(options, max_instances=max_instances))
        return trackers[-1]

    adapters = pose.Adapters(runtime=runtime, resizer=NearestResizer(), tracker_factory=tracker,
                             open_video=lambda path, **kw: FakeFrameSource(n_frames=5,
                                                                           shape=(160, 160, 1)))
    single = str(DATA / "models" / "sleapnn" / "single_instance")
    use_case = pose.bootstrap.build_predict_use_case(adapters)
    options = TrackOptions.from_flags({"tracking": True})
    result = use_case(PredictRequest(data_path="cam.mp4", model_paths=(single,),
                                     inference=options.inference,
                                     tracking=options.tracking_or_none()))
    assert made == ["single_instance"] and len(trackers) == 1
    assert [f.frame_idx for f in result.dataset.frames] == list(range(5))
    assert all(i.track is not None for f in result.dataset.frames for i in f.instances)
