"""Dense per-frame arrays of a dataset, for the table-like formats (NWB, DeepLabCut).

One row per frame from 0 through the run's last frame (the frames a run did not process, or
where nothing was found, hold NaN), so that readers that index rows as frames (movement's
``time``) stay aligned with the video. One column per individual: the tracks in the order the
``.slp`` lists them; untracked predictions are numbered by their order in the frame. Where a
frame holds several instances of one track, the user instance wins, else the last predicted
one (the rule movement and SLEAP's analysis export apply to ``.slp`` files).
"""

from __future__ import annotations

import os

import attrs
import numpy as np

from pose_app.dataset import Dataset, VideoRef
from pose_domain.errors import UnsupportedInputError
from pose_domain.instance import Instance, PredictedInstance, Track

#: Frame rate assumed when the video's is unknown (image folders, missing videos).
DEFAULT_FPS = 30.0


@attrs.frozen(kw_only=True)
class PoseTable:
    """Poses of one video as dense arrays.

    Attributes:
        frames: ``(T,)`` frame indices, ``0..T-1``.
        individuals: ``I`` names.
        nodes: ``N`` node names.
        points: ``(T, I, N, 2)`` x, y (NaN: not found).
        scores: ``(T, I, N)`` point scores (NaN where no predicted instance).
        instance_scores: ``(T, I)`` instance scores (NaN where no predicted instance).
        fps: The video's frame rate (``DEFAULT_FPS`` when unknown; ``fps_known`` says which).
        video: The source video's path.
    """

    frames: np.ndarray
    individuals: list[str]
    nodes: list[str]
    points: np.ndarray
    scores: np.ndarray
    instance_scores: np.ndarray
    fps: float
    fps_known: bool
    video: str


def video_fps(video: VideoRef) -> float | None:
    """The frame rate of ``video`` (from its sleap-io handle, else OpenCV), None if unknown."""
    fps = None
    try:
        fps = getattr(video.handle, "fps", None)
    except Exception:
        fps = None
    if not fps and os.path.isfile(video.filename):
        try:
            import cv2

            cap = cv2.VideoCapture(video.filename)
            try:
                fps = cap.get(cv2.CAP_PROP_FPS) if cap.isOpened() else None
            finally:
                cap.release()
        except Exception:
            fps = None
    return float(fps) if fps and np.isfinite(fps) and fps > 0 else None


def _row_count(dataset: Dataset, video_index: int) -> int:
    if dataset.run_frames is not None:
        mine = [f for v, f in dataset.run_frames if v == video_index]
        labeled = [f.frame_idx for f in dataset.frames if f.video_index == video_index]
        return max([-1, *mine, *labeled]) + 1
    labeled = [f.frame_idx for f in dataset.frames if f.video_index == video_index]
    n_video = dataset.videos[video_index].n_frames if video_index < len(dataset.videos) else 0
    return max(n_video, max(labeled, default=-1) + 1)


def _individuals(dataset: Dataset, video_index: int) -> tuple[list[str], dict[int, int], bool]:
    """Names, column of each track (by id) and whether the data is tracked."""
    tracks: list[Track] = list(dict.fromkeys(dataset.tracks))
    for fr in dataset.frames:
        for inst in fr.instances:
            if inst.track is not None and inst.track not in tracks:
                tracks.append(inst.track)
    if tracks:
        return [t.name for t in tracks], {id(t): k for k, t in enumerate(tracks)}, True
    most = max((len(f.instances) for f in dataset.frames if f.video_index == video_index),
               default=1)
    return [f"id_{k}" for k in range(max(most, 1))], {}, False


def pose_table(dataset: Dataset, video_index: int = 0) -> PoseTable:
    """The dense arrays of video ``video_index`` of ``dataset``."""
    if dataset.skeleton is None:
        raise UnsupportedInputError("cannot write poses without a skeleton")
    names, column, tracked = _individuals(dataset, video_index)
    n_rows = _row_count(dataset, video_index)
    n_nodes = dataset.skeleton.n_nodes
    points = np.full((n_rows, len(names), n_nodes, 2), np.nan)
    scores = np.full((n_rows, len(names), n_nodes), np.nan)
    inst_scores = np.full((n_rows, len(names)), np.nan)
    for fr in dataset.frames:
        if fr.video_index != video_index:
            continue
        chosen: dict[int, Instance] = {}
        for k, inst in enumerate(fr.instances):
            if tracked:
                if inst.track is None:
                    continue
                col = column[id(inst.track)]
            else:
                col = k
            prev = chosen.get(col)
            user = not isinstance(inst, PredictedInstance)
            if prev is None or user or isinstance(prev, PredictedInstance):
                chosen[col] = inst
        for col, inst in chosen.items():
            points[fr.frame_idx, col] = np.asarray(inst.points, dtype=np.float64)[:, :2]
            if isinstance(inst, PredictedInstance):
                scores[fr.frame_idx, col] = inst.point_scores
                inst_scores[fr.frame_idx, col] = inst.score
    video = dataset.videos[video_index] if video_index < len(dataset.videos) else None
    fps = video_fps(video) if video is not None else None
    return PoseTable(
        frames=np.arange(n_rows), individuals=names, nodes=list(dataset.skeleton.nodes),
        points=points, scores=scores, instance_scores=inst_scores,
        fps=fps or DEFAULT_FPS, fps_known=fps is not None,
        video=os.path.abspath(video.filename) if video is not None else "",
    )


def one_video(dataset: Dataset, format_name: str) -> int:
    """The index of the dataset's only video with frames; one line when there are several."""
    used = sorted({f.video_index for f in dataset.frames}) or [0]
    if len(used) > 1:
        raise UnsupportedInputError(
            f"{format_name} files hold one video; these predictions cover {len(used)}",
            hint="choose one video with --video_index",
        )
    return used[0]
