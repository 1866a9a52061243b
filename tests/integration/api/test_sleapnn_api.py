"""Snippets written from sleap-nn's inference and export documents (seeds 000, 001, 003) with
only the import changed (``sleap_nn...`` → ``pose``), compared with the CLI's results."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
import sleap_io as sio

import pose
from pose import (
    Evaluator,
    ONNXPredictor,
    export_to_onnx,
    load_metadata,
    run_inference,
)
from pose_cli.main import main
from pose_domain.errors import InvalidOptionError, ModelLoadError
from tests.conftest import DATA
from tests.integration.api._cli import (
    assert_batches_match_labels,
    assert_same_points,
    cli_labels,
)

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
M = DATA / "models" / "sleapnn"
SINGLE, CENTROID, INSTANCE = (str(M / n) for n in ("single_instance", "centroid",
                                                    "centered_instance"))
EXPORTS = DATA / "models" / "sleapnn_export"


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def test_run_inference_labels_and_raw_outputs(tmp_path):
    out = tmp_path / "predictions.slp"
    labels = run_inference(data_path=VIDEO, model_paths=[CENTROID, INSTANCE],
                           output_path=str(out), make_labels=True, frames="0-3",
                           peak_threshold=0.2, progress="none")
    assert isinstance(labels, sio.Labels) and out.exists()
    cli = cli_labels(tmp_path, "track", "-i", VIDEO, "-m", CENTROID, "-m", INSTANCE,
                     "--frames", "0-3")
    assert_same_points(labels, cli)
    assert_same_points(sio.load_slp(str(out)), cli)
    results = run_inference(data_path=VIDEO, model_paths=[CENTROID, INSTANCE],
                            make_labels=False, return_confmaps=True, frames="0-3",
                            batch_size=2, progress="none")
    assert isinstance(results, list) and len(results) == 2
    assert results[0]["centroid_confmaps"].shape[0] == 2
    assert_batches_match_labels(results, cli)


def test_run_inference_bad_arguments_name_them():
    with pytest.raises(InvalidOptionError, match="data_path"):
        run_inference(model_paths=[SINGLE])
    with pytest.raises(InvalidOptionError, match="model_paths"):
        run_inference(data_path=VIDEO)
    with pytest.raises(InvalidOptionError, match="max_instance"):
        run_inference(data_path=VIDEO, model_paths=[SINGLE], max_instance=2)


def test_evaluator_equals_pose_eval(tmp_path):
    gt_path = str(DATA / "labels" / "clip.2node.slp")
    pred_path = str(DATA / "labels" / "clip.predictions.slp")
    evaluator = Evaluator(sio.load_slp(gt_path), sio.load_slp(pred_path), oks_stddev=0.025,
                          oks_scale=None, match_threshold=0.0, user_labels_only=True)
    metrics = evaluator.evaluate()
    assert set(metrics) == {"voc_metrics", "mOKS", "distance_metrics", "pck_metrics",
                            "visibility_metrics"}
    saved = tmp_path / "metrics.npz"
    assert main(["eval", "-g", gt_path, "-p", pred_path, "-s", str(saved)]) == 0
    cli = json.loads(saved.with_suffix(".json").read_text())
    assert evaluator.mOKS()["mOKS"] == pytest.approx(cli["mOKS"]["mOKS"])
    assert evaluator.voc_metrics()["oks_voc.mAP"] == pytest.approx(
        cli["voc_metrics"]["oks_voc.mAP"])
    assert all(k.startswith("pck_voc.") for k in evaluator.voc_metrics(match_score_by="pck"))
    with pytest.raises(InvalidOptionError, match="oks_stdev"):
        Evaluator(gt_path, pred_path, oks_stdev=0.1)


def test_load_metadata_of_sleapnn_export_folders():
    meta = load_metadata(EXPORTS / "multiclass_bottomup")  # class_names is a list here
    assert meta.class_names == ("female", "male") and meta.node_names == ("A", "B")
    top = load_metadata(EXPORTS / "topdown")  # class_names: null
    assert top.model_type == "topdown" and top.class_names == () and top.edge_inds == ()
    assert load_metadata(EXPORTS / "bottomup" / "model.onnx").edge_inds == ((0, 1),)
    with pytest.raises(ModelLoadError, match="not a pose export folder"):
        load_metadata(SINGLE)


def test_export_to_onnx_and_onnx_predictor_equal_pose_predict(tmp_path):
    predictor = pose.load_model(SINGLE, progress_reporting="none")
    folder = export_to_onnx(predictor, str(tmp_path / "exported" / "model.onnx"),
                            input_shape=(1, 1, 384, 384), input_dtype="uint8", verify=False)
    assert (tmp_path / "exported" / "model.onnx").exists()
    meta = load_metadata(folder)
    assert meta.model_type == "single_instance" and meta.edge_inds == ((0, 1),)

    onnx = ONNXPredictor(str(tmp_path / "exported" / "model.onnx"))
    video = sio.load_video(VIDEO)
    frames = np.stack([video[i] for i in range(4)]).transpose(0, 3, 1, 2)  # uint8 NCHW
    outputs = onnx.predict(frames)
    assert outputs["peaks"].shape == (4, 2, 2) and outputs["peak_vals"].shape == (4, 2)
    assert outputs["peak_mask"].dtype == bool
    out = tmp_path / "pred.slp"
    assert main(["predict", folder, VIDEO, "-n", "4", "-o", str(out), "--progress",
                 "none"]) == 0
    cli = sio.load_slp(str(out))
    for lf in cli.labeled_frames:
        np.testing.assert_allclose(outputs["peaks"][lf.frame_idx], lf.instances[0].numpy(),
                                   atol=0.05)
    with pytest.raises(InvalidOptionError, match="B, C, H, W"):
        onnx.predict(frames.transpose(0, 2, 3, 1))
    with pytest.raises(InvalidOptionError, match="input_dtype"):
        export_to_onnx(predictor, str(tmp_path / "x"), input_dtype="float32")


def test_export_model_refuses_bad_arguments_before_writing(tmp_path):
    predictor = pose.load_model(SINGLE, progress_reporting="none")
    with pytest.raises(InvalidOptionError, match="format"):
        predictor.export_model(str(tmp_path / "e"), format="tflite")
    with pytest.raises(InvalidOptionError, match="opset_versio"):
        predictor.export_model(str(tmp_path / "e"), opset_versio=17)
    with pytest.raises(InvalidOptionError, match="model"):
        export_to_onnx(42, str(tmp_path / "e"))
    assert not (tmp_path / "e").exists()


@pytest.mark.gpu
@pytest.mark.skipif(
    importlib.util.find_spec("tensorrt") is None or not _cuda(),
    reason="needs an NVIDIA GPU and the tensorrt package",
)
def test_tensorrt_predictor_equals_pose_predict(tmp_path):
    folder = pose.export_to_tensorrt(SINGLE, str(tmp_path / "trt"), precision="fp32")
    trt = pose.TensorRTPredictor(folder)
    video = sio.load_video(VIDEO)
    frames = np.stack([video[i] for i in range(4)]).transpose(0, 3, 1, 2)
    outputs = trt.predict(frames)
    out = tmp_path / "pred.slp"
    assert main(["predict", folder, VIDEO, "-n", "4", "--runtime", "tensorrt", "-o", str(out),
                 "--progress", "none"]) == 0
    for lf in sio.load_slp(str(out)).labeled_frames:
        np.testing.assert_allclose(outputs["peaks"][lf.frame_idx], lf.instances[0].numpy(),
                                   atol=0.05)
