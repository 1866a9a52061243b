"""Comparisons shared by the contract tests."""

from __future__ import annotations

import numpy as np

from pose_app.dataset import Dataset
from pose_domain.instance import PredictedInstance


def assert_same_dataset(got: Dataset, want: Dataset) -> None:
    """Same skeleton, video count, frames, instances (points, scores, kinds) and track names."""
    assert got.skeleton is not None and want.skeleton is not None
    assert got.skeleton.nodes == want.skeleton.nodes
    assert got.skeleton.edges == want.skeleton.edges
    assert len(got.videos) == len(want.videos)
    assert [t.name for t in got.tracks] == [t.name for t in want.tracks]
    assert [(f.video_index, f.frame_idx) for f in got.frames] == [
        (f.video_index, f.frame_idx) for f in want.frames]
    for fg, fw in zip(got.frames, want.frames, strict=True):
        assert len(fg.instances) == len(fw.instances)
        for ig, iw in zip(fg.instances, fw.instances, strict=True):
            assert type(ig) is type(iw)
            np.testing.assert_allclose(ig.points, iw.points, rtol=0, atol=1e-9)
            assert (ig.track.name if ig.track else None) == (iw.track.name if iw.track else None)
            if isinstance(ig, PredictedInstance) and isinstance(iw, PredictedInstance):
                np.testing.assert_allclose(ig.point_scores, iw.point_scores, atol=1e-6)
                assert ig.score == np.float64(iw.score) or np.isclose(ig.score, iw.score)
                assert np.isclose(ig.tracking_score, iw.tracking_score)
