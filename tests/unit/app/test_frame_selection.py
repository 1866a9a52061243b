"""Frame selection as a pure function: options + frame spec + what the labels hold → frames."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.dataset import Dataset, Suggestion, VideoRef
from pose_app.options import FrameSelection
from pose_app.predict.selection import select_labeled_frames, select_video_frames
from pose_domain.errors import FrameSelectionError, InvalidOptionError, UnsupportedInputError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance


def _user() -> Instance:
    return Instance(points=np.zeros((2, 2)))


def _pred() -> PredictedInstance:
    return PredictedInstance(points=np.zeros((2, 2)), point_scores=np.ones(2), score=1.0)


def _labels() -> Dataset:
    """Video 0: user frames 1, 3; predicted frame 5; suggestions 3, 7. Video 1: user frame 2."""
    return Dataset(
        videos=[VideoRef(filename="a.mp4", n_frames=10), VideoRef(filename="b.mp4", n_frames=4)],
        frames=[LabeledFrame(0, 1, [_user()]), LabeledFrame(0, 3, [_user(), _pred()]),
                LabeledFrame(0, 5, [_pred()]), LabeledFrame(1, 2, [_user()])],
        suggestions=[Suggestion(video_index=0, frame_idx=3),
                     Suggestion(video_index=0, frame_idx=7)],
    )


def _keys(selected) -> list[tuple[int, int]]:
    return [(i.video_index, i.frame_idx) for i in selected.items]


def _select(selection: FrameSelection, spec: str = "", gt_mode: bool = False):
    return select_labeled_frames(_labels(), selection, spec, gt_mode=gt_mode,
                                 n_frames=lambda vi: [10, 4][vi])


def test_video_all_and_specified():
    assert [i.frame_idx for i in select_video_frames("", 4).items] == [0, 1, 2, 3]
    assert select_video_frames("", 4).method == "all"
    picked = select_video_frames("1,8-12", 10)
    assert [i.frame_idx for i in picked.items] == [1, 8, 9]
    assert (picked.method, picked.outside) == ("specified", 3)


@pytest.mark.parametrize(("selection", "spec", "keys", "method"), [
    (FrameSelection(), "", [(0, 1), (0, 3), (0, 5), (1, 2)], "all"),
    (FrameSelection(only_labeled_frames=True), "", [(0, 1), (0, 3), (1, 2)], "labeled"),
    (FrameSelection(only_suggested_frames=True), "", [(0, 7)], "suggested"),
    (FrameSelection(exclude_user_labeled=True), "", [(0, 5)], "all"),
    (FrameSelection(only_predicted_frames=True), "", [(0, 3), (0, 5)], "predicted"),
    (FrameSelection(), "1-2", [(0, 3), (0, 5)], "specified"),  # positions in the list
    (FrameSelection(video_index=1), "", [(1, 0), (1, 1), (1, 2), (1, 3)], "all"),
    (FrameSelection(video_index=0, exclude_user_labeled=True), "0-3", [(0, 0), (0, 2)],
     "specified"),
])
def test_labels_selection(selection, spec, keys, method):
    selected = _select(selection, spec)
    assert _keys(selected) == keys
    assert selected.method == method


def test_labels_items_carry_the_labeled_frame():
    selected = _select(FrameSelection(video_index=1))
    assert [i.labeled is not None for i in selected.items] == [False, False, True, False]


def test_gt_mode_keeps_frames_with_instances_and_filters_by_video():
    selected = _select(FrameSelection(video_index=0), gt_mode=True)
    assert _keys(selected) == [(0, 1), (0, 3), (0, 5)]


def test_selection_errors():
    with pytest.raises(InvalidOptionError, match="--video_index 2 is out of range"):
        _select(FrameSelection(video_index=2))
    empty = Dataset(videos=[VideoRef(filename="a.mp4")])
    with pytest.raises(UnsupportedInputError):
        select_labeled_frames(empty, FrameSelection(), "", gt_mode=False, n_frames=lambda vi: 0)
    with pytest.raises(FrameSelectionError):
        _select(FrameSelection(only_predicted_frames=True, video_index=1), gt_mode=True)
