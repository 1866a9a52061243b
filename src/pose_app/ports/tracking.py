"""Identity tracking: what the use cases need from a tracker (the online or the global one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from pose_app.options import TrackingOptions
from pose_domain.instance import Instance, LabeledFrame, Track


class Tracker(Protocol):
    """A tracker fed one frame at a time, in frame order, video after video.

    Implemented by :class:`pose_domain.tracking.OnlineTracker` (reference-exact, frame by
    frame) and :class:`pose_domain.tracking.GlobalTracker` (collects in ``track``, solves in
    ``finalize``).
    """

    @property
    def tracks(self) -> list[Track]:
        """Every track the tracker made so far, in creation order."""
        ...

    def track(
        self, instances: Sequence[Instance], frame_idx: int, image: np.ndarray | None = None
    ) -> list[Instance]:
        """One frame's instances (points ``(n_nodes, 2)``) → the tracked copies.

        ``image`` is the decoded frame ``(H, W, C)`` uint8, given only with optical flow.
        """
        ...

    def reset(self) -> None:
        """Forget the candidates between videos (identities do not carry over, ADR-0031)."""
        ...

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        """Whole-run post-processing (per video) on every tracked frame."""
        ...


#: ``(tracking options, --max_instances) -> a new tracker`` (one per input).
TrackerFactory = Callable[[TrackingOptions, int | None], Tracker]
