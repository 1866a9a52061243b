"""What the identity QC reports: events (probable identity errors) and per-frame series."""

from __future__ import annotations

from typing import Literal

import attrs

from pose_domain.defaults import DEFAULT_QC_MAX_EVENTS

#: Event kinds. ``swap`` and ``break`` are identity errors; the others point at frames where
#: the poses themselves are doubtful (they often precede identity errors).
EventKind = Literal["swap", "break", "jump", "count"]

IDENTITY_KINDS: tuple[str, ...] = ("swap", "break")


@attrs.frozen(kw_only=True)
class QcEvent:
    """One frame where an identity probably went wrong.

    Attributes:
        frame_idx: Frame of the video where the error shows (first frame of the new state).
        video_index: Index of the video in the labels file.
        kind: See :data:`EventKind`.
        tracks: Names of the tracks involved (two for swap/break, one for jump,
            none for count).
        score: Calibrated probability (0-1) that a proofreader finds a real identity error
            within ±3 frames of the event (ADR-0190); 0 for kinds that are not identity
            hypotheses (``jump``, ``count``).
        why: One human sentence with the numbers behind the score.
        likely: ``score`` is at or above the "probably fine" cut-off
            (:data:`pose_domain.qc.rank.LIKELY`).
    """

    frame_idx: int
    video_index: int
    kind: EventKind
    tracks: tuple[str, ...]
    score: float
    why: str
    likely: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (``tracks`` as a list, ``score`` rounded to 4 decimals)."""
        return {
            "frame_idx": self.frame_idx,
            "video_index": self.video_index,
            "kind": self.kind,
            "tracks": list(self.tracks),
            "score": round(float(self.score), 4),
            "likely": self.likely,
            "why": self.why,
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> QcEvent:
        """The event :meth:`to_dict` wrote (an earlier ``qc.json``); ``likely`` defaults to
        ``score >= 0.5`` for reports written before it existed."""
        score = float(d.get("score", 0.0))  # type: ignore[arg-type]
        kind = str(d.get("kind", "swap"))
        tracks = d.get("tracks", ())
        return cls(
            frame_idx=int(d["frame_idx"]),  # type: ignore[call-overload]
            video_index=int(d.get("video_index", 0)),  # type: ignore[call-overload]
            kind=kind if kind in ("swap", "break", "jump", "count") else "swap",  # type: ignore[arg-type]
            tracks=tuple(str(t) for t in tracks) if isinstance(tracks, list | tuple) else (),
            score=score, why=str(d.get("why", "")),
            likely=bool(d.get("likely", score >= 0.5)),
        )


@attrs.frozen(kw_only=True)
class QcConfig:
    """Knobs of the detector (defaults are scale-free: distances are in body lengths / noise).

    Attributes:
        window: Frames a track's last pose stays a candidate after it was last seen.
        break_window: Longest gap (frames) between a track's end and another's start that
            counts as a break.
        nms_radius: Events of the same kind and tracks closer than this (frames) are merged,
            keeping the strongest.
        min_score: Identity events below this probability are not reported.
        max_events: Most events reported (strongest first); None = all.
    """

    window: int = 30
    break_window: int = 150
    nms_radius: int = 3
    min_score: float = 0.02
    max_events: int | None = DEFAULT_QC_MAX_EVENTS


@attrs.frozen(kw_only=True)
class TrackSeries:
    """Presence and confidence of one track over the frames of a video.

    Attributes:
        name: Track name.
        frames: ``(n,)`` int, frame indices where the track has an instance (sorted).
        scores: ``(n,)`` float, instance score at those frames (NaN when unknown).
    """

    name: str
    frames: tuple[int, ...]
    scores: tuple[float, ...]


@attrs.frozen(kw_only=True)
class QcReport:
    """Everything the report shows, independent of how it is drawn.

    Attributes:
        events: Ranked events (highest score first).
        video_index: Video the series describe.
        frame_range: ``(first, last)`` frame index with instances.
        counts: ``(frame_idx, n_instances)`` per labeled frame, sorted.
        expected_count: The instance count per frame the detector assumes.
        tracks: Per-track presence and scores.
        body_length: Typical body length (px) the detector used.
        motion_noise: Typical frame-to-frame pose residual (px) the detector used.
    """

    events: tuple[QcEvent, ...]
    video_index: int
    frame_range: tuple[int, int]
    counts: tuple[tuple[int, int], ...]
    expected_count: int
    tracks: tuple[TrackSeries, ...]
    body_length: float
    motion_noise: float
