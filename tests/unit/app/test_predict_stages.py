"""One use-case run per stage kind, with scripted networks: the stage's instances, skeleton,
tracks and model type reach the dataset."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions, TrackingOptions
from pose_app.ports.models import LoadedModel
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.track import build_tracker
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)
from tests.fakes.predict import (
    RampFrameSource,
    blobs,
    class_maps_by_row,
    class_vector_by_pixel,
    loaded,
    one_channel,
    paf_along_x,
    spec,
)

ATOL = 0.05


def _run(models: dict[str, LoadedModel], source: FakeFrameSource, *, tracking: bool = False,
         batch_size: int = 2):
    uc = PredictUseCase(
        loader=FakeLoader(models), resizer=NearestResizer(),
        labels_store=InMemoryLabelsStore(), open_video=lambda path, **kw: source,
        tracker_factory=lambda opts, n: build_tracker(opts, max_instances=n),
    )
    request = PredictRequest(
        data_path="v.mp4", model_paths=tuple(models),
        inference=InferenceOptions(batch_size=batch_size),
        tracking=TrackingOptions() if tracking else None,
    )
    return uc(request)


def _points(frame) -> list[np.ndarray]:
    return sorted((i.points for i in frame.instances), key=lambda p: (p[0, 1], p[0, 0]))


def test_single_instance():
    def positions(f: int) -> list[tuple[float, float]]:
        return [(10.0 + 2 * f, 20.0), (30.0, 40.0 - 2 * f)]

    runtime = FakeRuntime(single_instance_spec(), positions)
    result = _run({"single": LoadedModel(spec=runtime.spec, runtime=runtime)},
                  FakeFrameSource(n_frames=5))
    assert result.model_type == "single_instance"
    assert [f.frame_idx for f in result.dataset.frames] == list(range(5))
    for f in result.dataset.frames:
        (inst,) = f.instances
        np.testing.assert_allclose(inst.points, positions(f.frame_idx), atol=ATOL)
    assert result.dataset.provenance["model_type"] == "single_instance"


def test_centroid_only():
    centers = [(20.0, 16.0), (44.0, 40.0)]
    model = loaded(spec("centroid", "centroid", ["head", "tail"]),
                   lambda img: NetworkOutputs(confmaps=one_channel(img, 2, centers)))
    result = _run({"centroid": model}, FakeFrameSource(n_frames=3))
    assert result.model_type == "centroid"
    assert result.dataset.skeleton.nodes == ("centroid",)
    for f in result.dataset.frames:
        got = _points(f)
        assert len(got) == 2
        for p, c in zip(got, centers):
            np.testing.assert_allclose(p, [c], atol=ATOL)


TD_CENTERS = [(24.0, 32.0), (72.0, 32.0)]
CROP = 32
#: Node positions inside a crop (crop pixels, on the output grid): centre and 6 px right.
IN_CROP = [(16.0, 16.0), (22.0, 16.0)]


def _top_down_models(multiclass: bool) -> dict[str, LoadedModel]:
    centroid = loaded(spec("centroid", "centroid", ["a", "b"]),
                      lambda img: NetworkOutputs(confmaps=one_channel(img, 2, TD_CENTERS)))
    kind = "multi_class_topdown" if multiclass else "centered_instance"

    def instance(img: np.ndarray) -> NetworkOutputs:
        return NetworkOutputs(
            confmaps=blobs(img, 2, IN_CROP),
            class_vectors=class_vector_by_pixel(img, threshold=40) if multiclass else None)

    classes = ("left", "right") if multiclass else ()
    return {"centroid": centroid,
            "instance": loaded(spec("instance", kind, ["a", "b"], classes=classes,
                                    crop_size=CROP), instance)}


def _expected_top_down() -> list[np.ndarray]:
    out = []
    for cx, cy in TD_CENTERS:
        tl = np.array([cx, cy]) - CROP / 2 + 0.5
        out.append(np.array(IN_CROP) + tl)
    return out


def test_top_down():
    source = RampFrameSource(n_frames=4, shape=(64, 96, 1))
    result = _run(_top_down_models(multiclass=False), source, tracking=True)
    assert result.model_type == "top_down"
    assert [f.frame_idx for f in result.dataset.frames] == list(range(4))
    for f in result.dataset.frames:
        got = _points(f)
        assert len(got) == 2
        for p, want in zip(got, _expected_top_down()):
            np.testing.assert_allclose(p, want, atol=ATOL)
    # tracked by the online tracker: two identities that keep their place
    names = {(round(i.points[0, 0]), i.track.name) for f in result.dataset.frames
             for i in f.instances}
    assert len(names) == 2 and len(result.dataset.tracks) == 2


def test_top_down_multi_class():
    source = RampFrameSource(n_frames=3, shape=(64, 96, 1))
    result = _run(_top_down_models(multiclass=True), source, tracking=True)
    assert result.model_type == "top_down_multi_class"
    assert [t.name for t in result.dataset.tracks] == ["left", "right"]  # no tracker tracks
    for f in result.dataset.frames:
        by_track = {i.track.name: i for i in f.instances}
        left, right = _expected_top_down()
        np.testing.assert_allclose(by_track["left"].points, left, atol=ATOL)
        np.testing.assert_allclose(by_track["right"].points, right, atol=ATOL)
        assert by_track["left"].tracking_score == pytest.approx(0.9)


BU_INSTANCES = [[(40.0, 30.0), (60.0, 30.0)], [(40.0, 90.0), (60.0, 90.0)]]


def _bottom_up_outputs(img: np.ndarray, multiclass: bool) -> NetworkOutputs:
    nodes = [[inst[k] for inst in BU_INSTANCES] for k in range(2)]
    confmaps = np.concatenate([one_channel(img, 2, pts) for pts in nodes])
    if multiclass:
        return NetworkOutputs(confmaps=confmaps,
                              class_maps=class_maps_by_row(img, 2, split_y_px=60.0))
    return NetworkOutputs(confmaps=confmaps,
                          pafs=paf_along_x(img, 2, [30.0, 90.0], (40.0, 60.0)))


def test_bottom_up():
    model = loaded(spec("bu", "bottomup", ["a", "b"], edges=[(0, 1)]),
                   lambda img: _bottom_up_outputs(img, multiclass=False))
    result = _run({"bu": model}, FakeFrameSource(n_frames=3, shape=(128, 128, 1)))
    assert result.model_type == "bottom_up"
    for f in result.dataset.frames:
        got = _points(f)
        assert len(got) == 2
        for p, want in zip(got, BU_INSTANCES):
            np.testing.assert_allclose(p, want, atol=ATOL)


def test_bottom_up_multi_class():
    model = loaded(spec("mcbu", "multi_class_bottomup", ["a", "b"], classes=["top", "bottom"]),
                   lambda img: _bottom_up_outputs(img, multiclass=True))
    result = _run({"mcbu": model}, FakeFrameSource(n_frames=3, shape=(128, 128, 1)),
                  tracking=True)
    assert result.model_type == "bottom_up_multi_class"
    assert [t.name for t in result.dataset.tracks] == ["top", "bottom"]
    for f in result.dataset.frames:
        by_track = {i.track.name: i for i in f.instances}
        np.testing.assert_allclose(by_track["top"].points, BU_INSTANCES[0], atol=ATOL)
        np.testing.assert_allclose(by_track["bottom"].points, BU_INSTANCES[1], atol=ATOL)
        assert by_track["top"].tracking_score == pytest.approx(0.95)
