"""Crash-safe persistence of finished frames while a run goes (issue: reliability).

A run appends its untracked predictions in chunks; a killed run loses at most the chunk in
flight. ``--resume`` reads the chunks back, replays tracking over them (tracking is cheap and
deterministic, so the tracker state is rebuilt exactly) and continues with the next frame.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs
import numpy as np


@attrs.frozen
class FrameRecord:
    """One processed frame's predictions before tracking.

    Attributes:
        video_index, frame_idx: The frame.
        decoded: False when the frame could not be decoded.
        points: ``(n_instances, n_nodes, 2)`` float64.
        point_scores: ``(n_instances, n_nodes)`` float64.
        scores: ``(n_instances,)`` instance scores.
        tracking_scores: ``(n_instances,)``.
        track_ids: ``(n_instances,)`` index into the stage's own tracks (multi-class), or -1.
    """

    video_index: int
    frame_idx: int
    decoded: bool
    points: np.ndarray
    point_scores: np.ndarray
    scores: np.ndarray
    tracking_scores: np.ndarray
    track_ids: np.ndarray


class ChunkStore(Protocol):
    def begin(self, fingerprint: dict[str, Any], resume: bool) -> list[FrameRecord]:
        """Start a run: with ``resume`` return the records of a previous run with the same
        fingerprint (raising an input error if it differs); otherwise discard old chunks."""
        ...

    def append(self, records: list[FrameRecord]) -> None:
        """Persist records atomically (a crash leaves whole chunks only)."""
        ...

    def clear(self) -> None:
        """Remove the chunks after the final output is written."""
        ...


class NoChunks:
    """A chunk store that keeps nothing (library use without crash safety)."""

    def begin(self, fingerprint: dict[str, Any], resume: bool) -> list[FrameRecord]:
        return []

    def append(self, records: list[FrameRecord]) -> None:
        pass

    def clear(self) -> None:
        pass
