"""Identity quality control: rank the frames where tracks probably swapped or broke."""

from pose_domain.qc.detect import detect_identity_events, expected_count
from pose_domain.qc.events import (
    IDENTITY_KINDS,
    EventKind,
    QcConfig,
    QcEvent,
    QcReport,
    TrackSeries,
)
from pose_domain.qc.recall import SwitchRecall, switch_recall

__all__ = [
    "IDENTITY_KINDS",
    "EventKind",
    "QcConfig",
    "QcEvent",
    "QcReport",
    "SwitchRecall",
    "TrackSeries",
    "detect_identity_events",
    "expected_count",
    "switch_recall",
]
