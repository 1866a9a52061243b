"""The end of every prediction run, written once: whole-run tracking post-processing, empty
frames dropped when asked, and the :class:`~pose_app.dataset.Dataset` (ADR-0141).

:class:`pose_app.predict.PredictUseCase` (files, ``pose track``) and
:class:`pose_app.stream.StreamUseCase` (live sources, Python iterables) both end here.
"""

from __future__ import annotations

from collections.abc import Sequence

from pose_app.dataset import Dataset, Suggestion, VideoRef
from pose_app.ports.tracking import Tracker
from pose_app.stages import AnyStage
from pose_domain.instance import LabeledFrame


def finish_dataset(
    frames: list[LabeledFrame],
    *,
    stage: AnyStage,
    tracker: Tracker | None,
    drop_empty: bool,
    videos: list[VideoRef],
    source_path: str,
    suggestions: Sequence[Suggestion] = (),
) -> Dataset:
    """The run's dataset from its frames in frame order.

    Args:
        frames: Every kept frame, tracked frame by frame when ``tracker`` is given.
        stage: The stage that predicted them (skeleton, its own tracks).
        tracker: The run's tracker; its ``finalize`` runs over all frames.
        drop_empty: ``--no_empty_frames``: frames left without instances are dropped.
    """
    if tracker is not None:
        frames = list(tracker.finalize(frames))
    if drop_empty:
        frames = [f for f in frames if f.instances]
    tracks = list(stage.tracks)
    if tracker is not None:
        tracks += list(tracker.tracks)
    return Dataset(videos=videos, skeleton=stage.output_skeleton, frames=frames, tracks=tracks,
                   suggestions=list(suggestions), source_path=source_path)
