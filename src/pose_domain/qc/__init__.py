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
from pose_domain.qc.rank import LIKELY
from pose_domain.qc.recall import PrecisionRecall, SwitchRecall, precision_recall_at, switch_recall
from pose_domain.qc.recheck import Recheck, recheck

__all__ = [
    "IDENTITY_KINDS",
    "LIKELY",
    "EventKind",
    "PrecisionRecall",
    "QcConfig",
    "QcEvent",
    "QcReport",
    "Recheck",
    "SwitchRecall",
    "TrackSeries",
    "detect_identity_events",
    "expected_count",
    "precision_recall_at",
    "recheck",
    "switch_recall",
]
