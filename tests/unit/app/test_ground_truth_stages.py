"""One top-down stage with the other replaced by the labels (SLEAP's ground-truth inference),
and what a lone centroid model writes for a labeled input."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.dataset import Dataset, VideoRef
from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.predict import PredictRequest, PredictUseCase
from pose_domain import decoding
from pose_domain.errors import IncompatibleModelsError
from pose_domain.instance import Instance, LabeledFrame
from pose_domain.skeleton import Skeleton
from tests.fakes.ports import FakeFrameSource, FakeLoader, InMemoryLabelsStore, NearestResizer
from tests.fakes.predict import blobs, loaded, one_channel, spec

ATOL = 0.05
CENTERS = [(24.0, 32.0), (72.0, 32.0)]
GT = [np.array([[20.0, 30.0], [28.0, 34.0]]), np.array([[70.0, 30.0], [75.0, 33.0]])]


def _labels(frames=(0, 2)) -> Dataset:
    return Dataset(videos=[VideoRef(filename="v.mp4", n_frames=4, height=64, width=96, channels=1)],
                   skeleton=Skeleton(nodes=["a", "b"]),
                   frames=[LabeledFrame(0, f, [Instance(points=p) for p in GT]) for f in frames])


def _models():
    centroid = loaded(spec("centroid", "centroid", ["a", "b"]),
                      lambda img: NetworkOutputs(confmaps=one_channel(img, 2, CENTERS)))
    instance = loaded(spec("instance", "centered_instance", ["a", "b"], crop_size=32),
                      lambda img: NetworkOutputs(
                          confmaps=blobs(img, 2, [(16.0, 16.0), (22.0, 16.0)])))
    return {"centroid": centroid, "instance": instance}


def _run(model_paths, data_path="gt.slp", **inference):
    store = InMemoryLabelsStore({"gt.slp": _labels()},
                                videos={"v.mp4": FakeFrameSource(n_frames=4, shape=(64, 96, 1))})
    uc = PredictUseCase(loader=FakeLoader(_models()), resizer=NearestResizer(),
                        labels_store=store,
                        open_video=lambda path, **kw: FakeFrameSource(n_frames=4,
                                                                      shape=(64, 96, 1)))
    return uc(PredictRequest(data_path=data_path, model_paths=tuple(model_paths),
                             inference=InferenceOptions(**inference)))


def test_lone_centroid_model_on_labels_writes_only_predictions():
    result = _run(["centroid"])
    for f in result.dataset.frames:
        assert all(i.is_predicted for i in f.instances) and len(f.instances) == 2
        assert all(i.n_nodes == 1 for i in f.instances)


def test_gt_instances_matched_to_predicted_centroids():
    result = _run(["centroid"], gt_instances=True)
    assert [f.frame_idx for f in result.dataset.frames] == [0, 2]
    for f in result.dataset.frames:
        got = sorted((i for i in f.instances), key=lambda i: i.points[0, 0])
        assert all(i.is_predicted for i in got)
        for inst, want in zip(got, GT):
            np.testing.assert_array_equal(inst.points, want)
            np.testing.assert_array_equal(inst.point_scores, [1.0, 1.0])
            assert inst.score > 0.5  # the centroid's value


@pytest.mark.parametrize("data_path", ["gt.slp", "v.mp4"])
def test_gt_centroids_from_named_labels_skip_the_centroid_model(data_path):
    result = _run(["centroid", "instance"], data_path=data_path, gt_centroids="gt.slp")
    assert [f.frame_idx for f in result.dataset.frames] == [0, 2]  # the labeled frames only
    centers = decoding.gt_centroids(np.stack(GT), None)
    for f in result.dataset.frames:
        preds = sorted(f.predicted_instances, key=lambda i: i.points[0, 0])
        assert len(preds) == 2
        for inst, center in zip(preds, centers):  # node a at the crop centre, b 6 px right
            want = [center, center + np.array([6.0, 0.0])]
            np.testing.assert_allclose(inst.points, want, atol=1.0)
            assert inst.score == 1.0


def test_gt_options_need_the_other_model():
    with pytest.raises(IncompatibleModelsError, match="--gt_instances needs a centroid"):
        _run(["instance"], gt_instances=True)
    with pytest.raises(IncompatibleModelsError, match="--gt_centroids needs a centered"):
        _run(["centroid"], gt_centroids="gt.slp")


def test_nearest_gt_instances_picks_nearest_visible_node():
    gt = np.array([[[0.0, 0.0], [np.nan, np.nan]], [[10.0, 0.0], [20.0, 0.0]]])
    got = decoding.nearest_gt_instances(np.array([[1.0, 0.0], [19.0, 0.0]]), gt)
    assert got.tolist() == [0, 1]
    assert decoding.nearest_gt_instances(np.zeros((1, 2)), np.zeros((0, 2, 2))).tolist() == [-1]
