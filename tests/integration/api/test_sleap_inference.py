"""Snippets written from SLEAP 1.x's ``sleap.nn.inference`` document (seed 002) with only the
import changed (``sleap`` → ``pose``); each result is compared with the CLI's on the same input
(points within 0.05 px, equal counts)."""

from __future__ import annotations

import inspect
import json
import shutil

import numpy as np
import pytest
import sleap_io as sio

import pose
from pose import (
    BottomUpPredictor,
    Predictor,
    SingleInstancePredictor,
    TopDownPredictor,
    VisualPredictor,
    find_head,
    get_keras_model_path,
    get_model_output_stride,
)
from pose_cli.main import main
from pose_domain.errors import IncompatibleModelsError, InvalidOptionError
from tests.conftest import DATA
from tests.integration.api._cli import (
    assert_batches_match_labels,
    assert_same_points,
    cli_labels,
    predicted,
)

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
PKG = str(DATA / "labels" / "minimal_instance.pkg.slp")
M = DATA / "models" / "sleapnn"
SINGLE, CENTROID, INSTANCE, BOTTOMUP = (str(M / n) for n in (
    "single_instance", "centroid", "centered_instance", "bottomup"))
LEGACY_SINGLE = DATA / "models" / "legacy" / "minimal_robot.UNet.single_instance"
FRAMES = "0-3"


@pytest.fixture(scope="module")
def video() -> sio.Video:
    return sio.load_video(VIDEO)


def test_load_model_single_instance_matches_cli(tmp_path, video):
    predictor = pose.load_model(SINGLE, batch_size=2, peak_threshold=0.2,
                                refinement="integral", tracker=None,
                                disable_gpu_preallocation=True, progress_reporting="none")
    assert isinstance(predictor, SingleInstancePredictor) and isinstance(predictor, Predictor)
    assert (predictor.batch_size, predictor.peak_threshold) == (2, 0.2)
    assert predictor.integral_refinement is True and predictor.integral_patch_size == 5
    assert predictor.confmap_config.model_type == "single_instance"
    assert predictor.pipeline is None and predictor.tracker is None
    assert predictor.verbosity == "none" and predictor.report_period == 0.5

    labels = predictor.predict(VIDEO, frames=FRAMES)
    cli = cli_labels(tmp_path, "track", "-i", VIDEO, "-m", SINGLE, "--frames", FRAMES)
    assert_same_points(labels, cli)

    batches = predictor.predict(VIDEO, frames=FRAMES, make_labels=False)
    assert [list(b["frame_ind"]) for b in batches] == [[0, 1], [2, 3]]
    assert set(batches[0]) >= {"instance_peaks", "instance_peak_vals"}
    assert batches[0]["instance_peaks"].shape == (2, 1, 2, 2)  # (B, 1, N, 2)
    assert batches[0]["instance_peak_vals"].shape == (2, 1, 2)
    assert_batches_match_labels(batches, cli)

    # the low-level inference model, on one batch of images (B, H, W, C)
    images = np.stack([video[i] for i in range(2)])
    predictor.inference_model.return_confmaps = True
    model = predictor.inference_model
    out = model(images)
    np.testing.assert_allclose(out["instance_peaks"], batches[0]["instance_peaks"], atol=0.05)
    assert out["confmaps"].shape[0] == 2 and out["confmaps"].shape[-1] == 2  # channels last
    same = model({"image": images.astype(np.float32) / 255.0})  # float in [0, 1]
    np.testing.assert_allclose(same["instance_peaks"], out["instance_peaks"], atol=0.05)
    whole = model.predict(images, batch_size=1)
    np.testing.assert_allclose(whole["instance_peaks"], out["instance_peaks"], atol=0.05)


def test_top_down_from_trained_models_matches_cli(tmp_path):
    predictor = TopDownPredictor.from_trained_models(
        centroid_model_path=CENTROID, confmap_model_path=INSTANCE, batch_size=4,
        peak_threshold=0.2, integral_refinement=True, integral_patch_size=5)
    predictor.verbosity = "none"
    assert predictor.centroid_config.model_type == "centroid"
    assert predictor.confmap_model.spec.model_type == "centered_instance"
    labels = predictor.predict(VIDEO, frames=FRAMES)
    cli = cli_labels(tmp_path, "track", "-i", VIDEO, "-m", CENTROID, "-m", INSTANCE,
                     "--frames", FRAMES)
    assert_same_points(labels, cli)
    (batch,) = predictor.predict(VIDEO, frames=FRAMES, make_labels=False)
    b, n = batch["instance_peaks"].shape[:2]
    assert b == 4 and batch["instance_peaks"].shape[2:] == (2, 2)
    assert batch["centroids"].shape == (4, n, 2) and batch["centroid_vals"].shape == (4, n)
    np.testing.assert_array_equal(batch["instance_scores"], batch["centroid_vals"])
    assert_batches_match_labels([batch], cli)


def test_from_model_paths_picks_the_class_and_bottom_up_matches_cli(tmp_path):
    predictor = Predictor.from_model_paths(BOTTOMUP, peak_threshold=0.2,
                                           integral_refinement=True, integral_patch_size=5,
                                           batch_size=4, progress="none")
    assert isinstance(predictor, BottomUpPredictor)
    assert predictor.paf_line_points == 10 and predictor.min_line_scores == 0.25
    predictor.min_line_scores = 0.25  # settable, validated
    batches = predictor.predict(VIDEO, frames=FRAMES, make_labels=False)
    cli = cli_labels(tmp_path, "track", "-i", VIDEO, "-m", BOTTOMUP, "--frames", FRAMES)
    assert "instance_scores" in batches[0]
    assert_batches_match_labels(batches, cli)
    assert isinstance(pose.load_model([CENTROID, INSTANCE]), TopDownPredictor)


def test_ground_truth_top_down_matches_cli(tmp_path):
    labels = sio.load_slp(PKG)
    # no centroid model: the centered-instance model at the labels' centroids
    gt_centroids = TopDownPredictor.from_trained_models(confmap_model_path=INSTANCE,
                                                        progress="none")
    got = gt_centroids.predict(labels)
    assert_same_points(got, cli_labels(tmp_path, "track", "-i", PKG, "-m", INSTANCE))
    cli = cli_labels(tmp_path, "track", "-i", PKG, "-m", CENTROID, "-m", INSTANCE,
                     "--gt_centroids", PKG, name="gt.slp")
    assert_same_points(got, cli)
    # pose eval then scores the centered-instance model alone
    metrics = tmp_path / "m.npz"
    assert main(["eval", "-g", PKG, "-p", str(tmp_path / "gt.slp"), "-s", str(metrics)]) == 0
    assert json.loads(metrics.with_suffix(".json").read_text())["mOKS"]["mOKS"] > 0.5
    # no centered-instance model: the labeled instances matched to the predicted centroids
    gt_instances = TopDownPredictor.from_trained_models(centroid_model_path=CENTROID,
                                                        confmap_model_path=None,
                                                        progress="none")
    matched = predicted(gt_instances.predict(labels))
    user = {(0, lf.frame_idx): sorted((i.numpy() for i in lf.user_instances),
                                      key=lambda p: tuple(p[0]))
            for lf in labels.labeled_frames}
    assert matched.keys() == user.keys()
    for key in matched:
        np.testing.assert_array_equal(np.stack(matched[key]), np.stack(user[key]))


def test_sleap_model_folders_are_found(tmp_path):
    # a SLEAP 1.x run folder with training_job.json and only final_model.h5
    folder = tmp_path / "191205_162402.UNet.confmaps"
    folder.mkdir()
    shutil.copy(LEGACY_SINGLE / "training_config.json", folder / "training_job.json")
    shutil.copy(LEGACY_SINGLE / "best_model.h5", folder / "final_model.h5")
    assert get_keras_model_path(folder / "training_job.json") == str(folder / "final_model.h5")
    robot = str(DATA / "videos" / "small_robot.mp4")
    moved = SingleInstancePredictor.from_trained_models(folder / "training_job.json",
                                                        progress="none")
    original = pose.load_model(str(LEGACY_SINGLE), progress_reporting="none")
    assert_same_points(moved.predict(robot, frames="0-1"), original.predict(robot, frames="0-1"))
    assert find_head(original, "SingleInstanceConfmapsHead") == 0
    assert find_head(original, "PartAffinityFieldsHead") is None
    assert get_model_output_stride(original) == original.confmap_config.confmap_stride
    bottomup = pose.load_model(BOTTOMUP)
    assert find_head(bottomup, "PartAffinityFieldsHead") == 1
    assert get_model_output_stride(bottomup, 0, -1) == bottomup.bottomup_config.paf_stride


def test_visual_predictor_returns_confmaps_and_pafs(video):
    visual = VisualPredictor.from_model_paths(BOTTOMUP, batch_size=2, progress="none")
    assert type(visual) is VisualPredictor
    (batch,) = visual.predict(np.stack([video[i] for i in range(2)]))
    assert batch["confmaps"].shape[0] == 2 and batch["confmaps"].shape[-1] == 2
    assert batch["part_affinity_fields"].shape[-1] == 2  # one edge: (x, y)


def test_verbosity_and_report_rate():
    predictor = pose.load_model(SINGLE, progress_reporting="json")
    assert predictor.verbosity == "json"
    predictor.report_rate = 4.0
    assert predictor.report_period == 0.25
    predictor.verbosity = "none"
    with pytest.raises(InvalidOptionError, match="verbosity"):
        predictor.verbosity = "loud"
    with pytest.raises(InvalidOptionError, match="report_rate"):
        predictor.report_rate = 0


@pytest.mark.parametrize(("call", "name"), [
    (lambda: pose.load_model(SINGLE, batch_size=0), "batch_size"),
    (lambda: pose.load_model(SINGLE, tracker="kalman"), "tracker"),
    (lambda: pose.load_model(SINGLE, refinement="cubic"), "refinement"),
    (lambda: pose.load_model(SINGLE, progress_reporting="loud"), "progress_reporting"),
    (lambda: pose.load_model(SINGLE, tracker="simple", tracker_window=0), "tracker_window"),
    (lambda: pose.load_model(SINGLE, tracker_max_instances=-1), "tracker_max_instances"),
    (lambda: pose.load_model(SINGLE, disable_gpu_preallocation="yes"),
     "disable_gpu_preallocation"),
    (lambda: pose.load_model(42), "model_path"),
    (TopDownPredictor.from_trained_models, "centroid_model_path"),
    (lambda: SingleInstancePredictor.from_trained_models(SINGLE, peak_treshold=0.3),
     "peak_treshold"),
])
def test_bad_arguments_are_one_clear_error(call, name):
    with pytest.raises(InvalidOptionError, match=name):
        call()


def test_a_class_refuses_another_model_type():
    with pytest.raises(IncompatibleModelsError, match="BottomUpPredictor"):
        BottomUpPredictor.from_trained_models(SINGLE)


def test_docstrings_carry_the_documented_arguments():
    documented = {
        pose.load_model: ["model_path", "batch_size", "peak_threshold", "refinement", "tracker",
                          "tracker_window", "tracker_max_instances",
                          "disable_gpu_preallocation", "progress_reporting"],
        TopDownPredictor.from_trained_models: ["centroid_model_path", "confmap_model_path",
                                               "batch_size", "peak_threshold",
                                               "integral_refinement", "integral_patch_size"],
        BottomUpPredictor.from_trained_models: ["model_path", "max_edge_length_ratio",
                                                "paf_line_points", "min_line_scores"],
        SingleInstancePredictor.from_trained_models: ["model_path", "peak_threshold"],
        get_model_output_stride: ["model", "input_ind", "output_ind"],
    }
    for func, names in documented.items():
        params = inspect.signature(func).parameters
        for name in names:
            assert name in params, (func, name)
            assert name in (func.__doc__ or ""), (func, name)
    sig = inspect.signature(pose.load_model).parameters
    assert [sig[n].default for n in documented[pose.load_model][1:]] == [
        4, 0.2, "integral", None, 5, None, True, "rich"]
