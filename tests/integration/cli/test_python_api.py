"""The Python API: run_inference and a reusable Predictor with injectable collaborators."""

from __future__ import annotations

import numpy as np
import pytest
import sleap_io as sio
from tests.conftest import DATA

from pose import Predictor, run_inference
from pose_domain.errors import InvalidOptionError

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
SINGLE = str(DATA / "models" / "sleapnn" / "single_instance")
CENTROID = str(DATA / "models" / "sleapnn" / "centroid")
INSTANCE = str(DATA / "models" / "sleapnn" / "centered_instance")


def test_run_inference_returns_labels_and_writes(tmp_path):
    out = tmp_path / "o.slp"
    labels = run_inference(VIDEO, [CENTROID, INSTANCE], output_path=str(out), frames="0-4",
                           tracking=True, max_tracks=2, candidates_method="local_queues")
    assert isinstance(labels, sio.Labels)
    assert [lf.frame_idx for lf in labels.labeled_frames] == [0, 1, 2, 3, 4]
    assert {t.name for t in labels.tracks} == {"track_0", "track_1"}
    assert out.exists()


def test_run_inference_arrays_and_confmaps():
    out = run_inference(VIDEO, SINGLE, make_labels=False, return_confmaps=True, frames="0-5")
    assert list(out["frame_idx"]) == [0, 1, 2, 3, 4, 5]
    assert out["points"][0].shape == (1, 2, 2)
    assert out["confmaps"].shape[0] == 6 and out["confmaps"].shape[1] == 2


def test_predictor_is_reused_across_inputs(tmp_path):
    predictor = Predictor.from_model_paths(SINGLE, peak_threshold=0.3)
    a = predictor.predict(VIDEO, frames="0-1")
    b = predictor.predict(VIDEO, frames="10-11")
    assert [lf.frame_idx for lf in a.labeled_frames] == [0, 1]
    assert [lf.frame_idx for lf in b.labeled_frames] == [10, 11]
    assert predictor.inference.peak_threshold == 0.3


def test_collaborators_are_injectable():
    from tests.fakes.ports import FakeFrameSource

    source = FakeFrameSource(n_frames=3, shape=(384, 384, 1))
    predictor = Predictor.from_model_paths(SINGLE, open_video=lambda path, **kw: source)
    out = predictor.predict("anything.mp4", make_labels=False)
    assert source.read_log == [0, 1, 2]  # frames came from the injected source
    assert out["provenance"]["frame_selection"]["frames_processed"] == 3


def test_unknown_option_is_an_input_error():
    with pytest.raises(InvalidOptionError):
        run_inference(VIDEO, SINGLE, peak_treshold=0.3)


def test_api_matches_cli(tmp_path):
    from pose_cli.main import main

    out = tmp_path / "cli.slp"
    assert main(["track", "-i", VIDEO, "-m", SINGLE, "--frames", "0-3", "-o", str(out),
                 "--progress", "none"]) == 0
    cli = sio.load_slp(str(out), open_videos=False)
    api = run_inference(VIDEO, SINGLE, frames="0-3")
    for a, b in zip(cli.labeled_frames, api.labeled_frames):
        np.testing.assert_allclose(a.instances[0].numpy(), b.instances[0].numpy())
