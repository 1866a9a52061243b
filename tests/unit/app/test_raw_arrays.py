"""Per-batch raw arrays (``make_labels=False``): collected from the use case's frames, padded
with NaN, equal to the instances the dataset holds."""

from __future__ import annotations

import numpy as np

from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.predict.arrays import ArrayCollector, batch_arrays
from pose_domain.instance import PredictedInstance, Track
from tests.fakes.ports import FakeLoader, InMemoryLabelsStore, NearestResizer
from tests.fakes.predict import (
    RampFrameSource,
    blobs,
    class_vector_by_pixel,
    loaded,
    one_channel,
    spec,
)

CENTERS = [(24.0, 32.0), (72.0, 32.0)]


def _models(multiclass: bool):
    kind = "multi_class_topdown" if multiclass else "centered_instance"

    def instance(img):
        return NetworkOutputs(
            confmaps=blobs(img, 2, [(16.0, 16.0), (22.0, 16.0)]),
            class_vectors=class_vector_by_pixel(img, threshold=40) if multiclass else None)

    return {"centroid": loaded(spec("centroid", "centroid", ["a", "b"]),
                               lambda img: NetworkOutputs(confmaps=one_channel(img, 2, CENTERS))),
            "instance": loaded(spec("instance", kind, ["a", "b"], crop_size=32,
                                    classes=("left", "right") if multiclass else ()),
                               instance)}


def _run(multiclass: bool, batch_size: int = 2):
    collector = ArrayCollector()
    uc = PredictUseCase(loader=FakeLoader(_models(multiclass)), resizer=NearestResizer(),
                        labels_store=InMemoryLabelsStore(),
                        open_video=lambda path, **kw: RampFrameSource(n_frames=3,
                                                                      shape=(64, 96, 1)),
                        sink=collector)
    result = uc(PredictRequest(data_path="v.mp4", model_paths=("centroid", "instance"),
                               inference=InferenceOptions(batch_size=batch_size)))
    batches = collector.batches(batch_size, model_type=result.model_type, n_nodes=2,
                                classes=result.dataset.tracks)
    return result, batches


def test_top_down_batches_equal_the_dataset():
    result, batches = _run(multiclass=False)
    assert [list(b["frame_ind"]) for b in batches] == [[0, 1], [2]]
    first = batches[0]
    assert first["instance_peaks"].shape == (2, 2, 2, 2)
    assert first["centroids"].shape == (2, 2, 2) and first["n_valid"].tolist() == [2, 2]
    np.testing.assert_array_equal(first["instance_scores"], first["centroid_vals"])
    for frame in result.dataset.frames:
        b, i = divmod(frame.frame_idx, 2)
        got = batches[b]["instance_peaks"][i]
        for k, inst in enumerate(frame.instances):
            np.testing.assert_array_equal(got[k], inst.points)
            np.testing.assert_allclose(batches[b]["centroids"][i, k], CENTERS[k], atol=1.0)


def test_multi_class_batches_carry_class_indices():
    result, batches = _run(multiclass=True)
    names = [t.name for t in result.dataset.tracks]
    for frame in result.dataset.frames:
        b, i = divmod(frame.frame_idx, 2)
        for k, inst in enumerate(frame.instances):
            assert names[batches[b]["class_inds"][i, k]] == inst.track.name
            assert batches[b]["class_probs"][i, k] == inst.tracking_score


def test_padding_and_layouts():
    inst = PredictedInstance(points=[[1.0, 2.0], [np.nan, np.nan]], point_scores=[0.5, np.nan],
                             score=0.7, track=Track("a"))
    out = batch_arrays([[inst], []], model_type="bottom_up", n_nodes=2)
    assert out["instance_peaks"].shape == (2, 1, 2, 2) and out["n_valid"].tolist() == [1, 0]
    assert np.isnan(out["instance_peaks"][1]).all() and np.isnan(out["instance_scores"][1, 0])
    assert "centroids" not in out and "class_inds" not in out
    single = batch_arrays([[], [inst]], model_type="single_instance", n_nodes=2)
    assert set(single) == {"frame_ind", "video_ind", "n_valid", "instance_peaks",
                           "instance_peak_vals"}
    assert single["instance_peaks"].shape == (2, 1, 2, 2)
    cent = batch_arrays([[inst]], model_type="centroid", n_nodes=2, n_instances=3)
    assert cent["centroids"].shape == (1, 3, 2) and "instance_peaks" not in cent
