"""``pose.Predictor.predict`` on arrays, ``sio.Video``, ``sio.Labels`` and generators gives the
numbers ``pose track`` gives on the same frames (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest
import sleap_io as sio

import pose
from pose_app.options import TrackOptions
from pose_cli.run import run_track
from pose_domain.errors import InvalidOptionError, UnsupportedInputError
from tests.conftest import DATA

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
MODELS = DATA / "models" / "sleapnn"
KINDS = {
    "single_instance": [str(MODELS / "single_instance")],
    "top_down": [str(MODELS / "centroid"), str(MODELS / "centered_instance")],
    "bottom_up": [str(MODELS / "bottomup")],
}
N = 4


@pytest.fixture(scope="module")
def frames() -> np.ndarray:
    video = sio.load_video(VIDEO)
    try:
        return np.stack([video[i] for i in range(N)])
    finally:
        video.close()


def _cli_points(tmp_path, models: list[str], **flags) -> list[np.ndarray]:
    out = tmp_path / "cli.slp"
    opts = TrackOptions.from_flags(frames=f"0-{N - 1}", output_path=str(out), progress="none",
                                   **flags)
    assert run_track([VIDEO], models, opts) == 0
    labels = sio.load_slp(str(out))
    by_idx = {lf.frame_idx: lf for lf in labels.labeled_frames}
    return [_points(by_idx[i]) if i in by_idx else np.zeros((0, 2, 2)) for i in range(N)]


def _points(lf) -> np.ndarray:
    insts = sorted(lf.predicted_instances, key=lambda i: -i.score)
    return np.stack([i.numpy() for i in insts]) if insts else np.zeros((0, 0, 2))


def _label_points(labels) -> list[np.ndarray]:
    by_idx = {lf.frame_idx: lf for lf in labels.labeled_frames}
    return [_points(by_idx[i]) if i in by_idx else np.zeros((0, 2, 2)) for i in range(N)]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.shape[0] == y.shape[0]
        if x.shape[0]:
            np.testing.assert_allclose(x, y, atol=1e-3, equal_nan=True)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_array_video_generator_match_pose_track(tmp_path, frames, kind):
    models = KINDS[kind]
    expected = _cli_points(tmp_path, models)
    predictor = pose.load_model(models, progress_reporting="none")
    from_array = predictor.predict(frames)
    assert [lf.frame_idx for lf in from_array.labeled_frames] == list(range(N))
    _same(_label_points(from_array), expected)
    _same(_label_points(predictor.predict(iter(list(frames)))), expected)
    video = sio.load_video(VIDEO)
    _same(_label_points(predictor.predict(video, frames=range(N))), expected)
    assert video.is_open  # the caller's video is left open
    video.close()


def test_one_frame_and_gray_frame_are_accepted(frames):
    predictor = pose.load_model(KINDS["single_instance"], progress_reporting="none")
    one = predictor.predict(frames[0])
    gray = predictor.predict(frames[0][..., 0])
    assert [lf.frame_idx for lf in one.labeled_frames] == [0]
    np.testing.assert_allclose(_label_points(one)[0], _label_points(gray)[0])
    arrays = predictor.predict(frames[:2], make_labels=False)
    assert list(arrays["frame_idx"]) == [0, 1]


def test_in_memory_labels_are_predicted_without_a_file():
    labels = sio.load_slp(str(DATA / "labels" / "minimal_instance.pkg.slp"))
    predictor = pose.load_model(str(MODELS / "single_instance"), progress_reporting="none")
    out = predictor.predict(labels)
    assert len(out.labeled_frames) == len(labels.labeled_frames)


def test_bad_inputs_are_one_line_errors(frames):
    predictor = pose.load_model(KINDS["single_instance"], progress_reporting="none")
    with pytest.raises(UnsupportedInputError):
        predictor.predict(frames.astype(np.float32))
    with pytest.raises(UnsupportedInputError):
        predictor.predict(42)
    with pytest.raises(InvalidOptionError):
        pose.load_model(KINDS["single_instance"], tracker="kalman")
    with pytest.raises(InvalidOptionError):
        pose.load_model(KINDS["single_instance"], peak_treshold=0.3)


def test_sleap_keywords_map_to_track_flags():
    from pose._api import sleap_flags

    flags = sleap_flags(batch_size=2, peak_threshold=0.3, refinement=True, tracker="flow",
                        tracker_window=10, tracker_max_instances=2, progress_reporting="none",
                        device="cpu", runtime="auto", options={"max_instances": 2})
    opts = TrackOptions.from_flags(flags)
    assert opts.inference.integral_refinement == "integral"
    assert opts.tracking.tracking and opts.tracking.use_flow
    assert opts.tracking.tracking_window_size == 10
    assert opts.tracking.tracking_clean_instance_count == 2
    assert opts.inference.max_instances == 2
    assert TrackOptions.from_flags(integral_refinement=None).inference.integral_refinement == \
        "none"


def test_export_metadata_is_typed(tmp_path):
    import json

    from pose_domain.errors import ModelLoadError

    meta = {"model_type": "top_down", "node_names": ["head", "tail"], "edge_inds": [[0, 1]],
            "input_name": "image", "input_dtype": "uint8", "input_layout": "NCHW",
            "input_shape": ["batch", "channels (1 or 3)", "height", "width"],
            "input_channels": 1, "output_stride": 2, "class_names": [],
            "networks": [{"role": "centroid", "onnx": "centroid.onnx"},
                         {"role": "instance", "onnx": "instance.onnx"}]}
    (tmp_path / "export_metadata.json").write_text(json.dumps(meta))
    got = pose.load_metadata(tmp_path)
    assert got.model_type == "top_down" and got.node_names == ("head", "tail")
    assert got.edge_indices == ((0, 1),) and got.input_dtype == "uint8"
    assert got.runtime_files == {"centroid": ("centroid.onnx",), "instance": ("instance.onnx",)}
    with pytest.raises(ModelLoadError):
        pose.load_metadata(tmp_path / "..")
