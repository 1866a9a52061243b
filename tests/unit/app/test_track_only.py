"""TrackOnlyUseCase against an in-memory labels store (no files)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pose_app.dataset import Dataset, VideoRef
from pose_app.options import FilterOptions, InferenceOptions, TrackingOptions
from pose_app.track import (
    TrackOnlyRequest,
    TrackOnlyUseCase,
    build_tracker,
    default_output_path,
    online_config,
)
from pose_domain.errors import InvalidOptionError, UnsupportedInputError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.skeleton import Skeleton
from pose_domain.tracking import GlobalTracker, OnlineTracker


class MemoryStore:
    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.saved: dict[str, Dataset] = {}

    def load(self, path: str) -> Dataset:
        return self.dataset

    def save(self, dataset: Dataset, path: str) -> None:
        self.saved[path] = dataset

    def open_video(self, video: VideoRef) -> Any:
        raise AssertionError("no video needed")


def pred(x: float) -> PredictedInstance:
    return PredictedInstance.from_arrays([[x, 0.0], [x + 10, 5.0]], [1, 1], 1.0,
                                         track=Track("old"))


def dataset() -> Dataset:
    frames = []
    for v in (0, 1):
        for t in (2, 0, 1):  # unsorted on purpose
            frames.append(LabeledFrame(v, t, [pred(0 + t), pred(100 + t)]))
    frames[0].instances.append(Instance(points=[[50.0, 50.0], [60.0, 55.0]]))  # user (v0, f2)
    return Dataset(videos=[VideoRef(filename="/d/a.mp4"), VideoRef(filename="/d/b.mp4")],
                   skeleton=Skeleton(nodes=["h", "t"]), frames=frames,
                   provenance={"from": "input"})


def run(request: TrackOnlyRequest) -> tuple[Dataset, str]:
    store = MemoryStore(dataset())
    res = TrackOnlyUseCase(store=store, versions={"pose_version": "x"})(request)
    return store.saved[res.output_path], res.output_path


def test_sorts_selects_frames_prefers_user_instances_and_writes_provenance() -> None:
    out, path = run(TrackOnlyRequest(input_path="/d/in.slp", frames=(0, 2), video_index=0))
    assert path == "/d/in.a.predictions.slp"
    assert [f.frame_idx for f in out.frames] == [0, 2]
    assert [v.filename for v in out.videos] == ["/d/a.mp4"]
    last = out.frames[1]  # frame 2 has a user instance: it is tracked, predictions are not
    assert [i.is_predicted for i in last.instances] == [False, True, True]
    assert last.instances[0].track is not None
    assert all(i.track is None for i in last.instances[1:])
    prov = out.provenance
    assert prov["pipeline_type"] == "tracking_only"
    assert prov["frames_processed"] == 2 and prov["input_provenance"] == {"from": "input"}
    assert prov["pose_version"] == "x" and "tracking_config" in prov
    assert {t.name for t in out.tracks} <= {"track_0", "track_1", "track_2"}


def test_all_videos_default_path() -> None:
    out, path = run(TrackOnlyRequest(input_path="/d/in.slp"))
    assert path == "/d/in.predictions.slp"
    assert [(f.video_index, f.frame_idx) for f in out.frames] == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_rejects_non_slp_and_bad_video_index() -> None:
    with pytest.raises(UnsupportedInputError):
        run(TrackOnlyRequest(input_path="/d/video.mp4"))
    with pytest.raises(InvalidOptionError, match="video_index"):
        run(TrackOnlyRequest(input_path="/d/in.slp", video_index=5))


def test_filters_run_before_tracking() -> None:
    seen: list[int] = []

    def drop_second(insts: list[PredictedInstance], opts: InferenceOptions) -> list:
        seen.append(len(insts))
        return insts[:1]

    store = MemoryStore(dataset())
    uc = TrackOnlyUseCase(store=store, filter_fn=drop_second)
    res = uc(TrackOnlyRequest(input_path="/d/in.slp", video_index=1,
                              inference=InferenceOptions(filters=FilterOptions(filter_min_instance_score=0.5))))
    out = store.saved[res.output_path]
    assert seen == [2, 2, 2]
    assert all(len(f.instances) == 1 for f in out.frames)


def test_build_tracker_defaulting_rules() -> None:
    cfg = online_config(TrackingOptions.from_flags(max_tracks=2), max_instances=None)
    assert cfg.candidates_method == "local_queues"  # --max_tracks forces local queues
    pcsb = TrackingOptions.from_flags(post_connect_single_breaks=True)
    cfg = online_config(pcsb, max_instances=3, track_only=True)
    assert cfg.target_count == 3 and cfg.max_tracks == 3
    with pytest.raises(InvalidOptionError, match="target"):
        online_config(pcsb, max_instances=None)
    with pytest.raises(InvalidOptionError):
        online_config(TrackingOptions.from_flags(features="image"), max_instances=None)
    assert isinstance(build_tracker(TrackingOptions()), OnlineTracker)
    assert isinstance(build_tracker(TrackingOptions(tracker="global")), GlobalTracker)


def test_default_output_path() -> None:
    assert default_output_path("/x/y.slp") == "/x/y.predictions.slp"
    assert default_output_path("/x/y.slp", "/v/clip.mp4") == "/x/y.clip.predictions.slp"


def test_global_mode_through_the_use_case() -> None:
    out, _ = run(TrackOnlyRequest(input_path="/d/in.slp", video_index=1,
                                  tracking=TrackingOptions.from_flags(tracker="global")))
    names = [[i.track.name for i in f.instances] for f in out.frames]
    assert names == [["track_0", "track_1"]] * 3
    assert np.isfinite(out.provenance["tracking_runtime_seconds"])
