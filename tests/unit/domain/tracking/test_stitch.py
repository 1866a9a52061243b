"""Identity stitching across chunk boundaries (ADR-0062)."""

from __future__ import annotations

import numpy as np

from pose_domain.instance import LabeledFrame, PredictedInstance, Track
from pose_domain.tracking.stitch import TrackedChunk, map_names, overlap_votes, stitch_chunks


def _inst(x: float, track: Track | None) -> PredictedInstance:
    pts = np.array([[x, 0.0], [x + 1.0, 1.0]])
    return PredictedInstance(points=pts, point_scores=np.ones(2), score=1.0, track=track)


def _frames(start: int, stop: int, names: dict[float, str]) -> list[LabeledFrame]:
    """Animals at fixed x positions, tracked under the given names."""
    tracks = {n: Track(n) for n in names.values()}
    return [LabeledFrame(video_index=0, frame_idx=i,
                         instances=[_inst(x + 0.01 * i, tracks[n]) for x, n in names.items()])
            for i in range(start, stop)]


def test_local_names_map_to_the_previous_chunk_names() -> None:
    first = _frames(0, 10, {0.0: "track_0", 50.0: "track_1"})
    second = _frames(6, 20, {0.0: "track_1", 50.0: "track_0"})  # swapped local names
    frames, tracks = stitch_chunks([TrackedChunk(start=0, frames=first),
                                    TrackedChunk(start=10, frames=second)])
    assert [f.frame_idx for f in frames] == list(range(20))
    assert [t.name for t in tracks] == ["track_0", "track_1"]
    for f in frames:
        by_x = {round(float(i.points[0, 0])): i.track.name for i in f.instances if i.track}
        assert by_x == {0: "track_0", 50: "track_1"}
    # one Track object per name
    assert len({id(i.track) for f in frames for i in f.instances}) == 2


def test_unmatched_tracks_get_fresh_names_and_far_pairs_do_not_vote() -> None:
    first = _frames(0, 10, {0.0: "track_0"})
    second = _frames(5, 15, {0.0: "track_0", 200.0: "track_1"})
    frames, tracks = stitch_chunks([TrackedChunk(start=0, frames=first),
                                    TrackedChunk(start=10, frames=second)])
    assert [t.name for t in tracks] == ["track_0", "track_1"]
    late = frames[-1]
    names = {round(float(i.points[0, 0])): i.track.name for i in late.instances if i.track}
    assert names[0] == "track_0" and names[200] != "track_0"


def test_votes_and_mapping() -> None:
    a = _frames(0, 3, {0.0: "g0", 30.0: "g1"})
    b = _frames(0, 3, {0.0: "l1", 30.0: "l0"})
    votes = overlap_votes(a, b)
    assert votes == {("g0", "l1"): 3, ("g1", "l0"): 3}
    assert map_names(votes) == {"l1": "g0", "l0": "g1"}
    far = _frames(0, 3, {500.0: "l9"})
    assert overlap_votes(a, far, max_distance=5.0) == {}
    assert map_names({}) == {}
