"""LabelsStore contract: ``SlpLabelsStore`` and ``InMemoryLabelsStore`` on a small ``.slp``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np
import pytest

from pose_app.dataset import Dataset
from pose_app.ports.labels import LabelsStore
from pose_domain.errors import InputNotFoundError
from pose_domain.instance import LabeledFrame, PredictedInstance, Track
from tests.conftest import DATA
from tests.contract._same import assert_same_dataset
from tests.fakes import FakeFrameSource, InMemoryLabelsStore

SLP = str(DATA / "labels" / "minimal_instance.pkg.slp")


def _real() -> LabelsStore:
    from pose_adapters.slp import SlpLabelsStore

    return SlpLabelsStore()


def _fake() -> LabelsStore:
    """A fake holding what the file holds (read once by the real store) and its one video."""
    ds = _real().load(SLP)
    v = ds.videos[0]
    source = FakeFrameSource(n_frames=v.n_frames, shape=(v.height, v.width, v.channels),
                             filename=v.filename)
    return InMemoryLabelsStore({SLP: ds}, videos={v.filename: source})


STORES: dict[str, Callable[[], LabelsStore]] = {"fake": _fake, "sleap-io": _real}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest) -> LabelsStore:
    return STORES[request.param]()


def test_load_gives_the_file_content(store: LabelsStore) -> None:
    ds = store.load(SLP)
    assert ds.skeleton is not None and ds.skeleton.nodes == ("A", "B")
    assert ds.skeleton.edges == ((0, 1),)
    assert len(ds.videos) == 1 and (ds.videos[0].height, ds.videos[0].width) == (384, 384)
    assert [(f.frame_idx, len(f.user_instances)) for f in ds.frames] == [(0, 2)]
    np.testing.assert_allclose(ds.frames[0].instances[0].points[0], [92.652, 202.726], atol=1e-3)


def test_save_then_load_round_trips(store: LabelsStore, tmp_path: Path) -> None:
    ds = store.load(SLP)
    out = str(tmp_path / "copy.slp")
    store.save(ds, out)
    assert_same_dataset(store.load(out), ds)


def test_predictions_tracks_and_scores_round_trip(store: LabelsStore, tmp_path: Path) -> None:
    ds = store.load(SLP)
    track = Track("mouse-1")
    pred = PredictedInstance(points=np.array([[10.5, 20.25], [np.nan, np.nan]]),
                             point_scores=np.array([0.9, 0.0]), score=0.75, track=track,
                             tracking_score=0.5)
    frame = ds.frames[0]
    edited = attrs.evolve(ds, tracks=[track], provenance={"contract": "yes"}, frames=[
        LabeledFrame(frame.video_index, frame.frame_idx, [*frame.instances, pred])])
    out = str(tmp_path / "pred.slp")
    store.save(edited, out)
    back = store.load(out)
    assert_same_dataset(back, edited)
    assert back.provenance.get("contract") == "yes"
    assert len(back.frames[0].predicted_instances) == 1


def test_save_replaces_an_existing_file(store: LabelsStore, tmp_path: Path) -> None:
    ds = store.load(SLP)
    out = str(tmp_path / "out.slp")
    store.save(ds, out)
    store.save(attrs.evolve(ds, frames=[]), out)
    assert store.load(out).frames == []


def test_missing_file_is_an_input_error(store: LabelsStore, tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError) as info:
        store.load(str(tmp_path / "nope.slp"))
    assert info.value.hint and "\n" not in info.value.one_line()


def test_open_video_reads_the_labeled_frames(store: LabelsStore) -> None:
    ds: Dataset = store.load(SLP)
    source = store.open_video(ds.videos[0])
    try:
        assert source.n_frames == ds.videos[0].n_frames == 1
        assert source.shape == (384, 384, 1)
        frame = source.read(ds.frames[0].frame_idx)
        assert frame.shape == source.shape and frame.dtype == np.uint8
    finally:
        source.close()
