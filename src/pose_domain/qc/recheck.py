"""After a fix: which events of an earlier report are gone, which remain, which are new."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from pose_domain.qc.events import IDENTITY_KINDS, QcEvent


@attrs.frozen(kw_only=True)
class Recheck:
    """Attributes:
    gone: Earlier likely identity events with no likely identity event within the
        tolerance now (fixed, or judged fine after the fix).
    remaining: Earlier likely identity events that still have one.
    new: Likely identity events now with no earlier likely event within the tolerance.
    """

    gone: tuple[QcEvent, ...]
    remaining: tuple[QcEvent, ...]
    new: tuple[QcEvent, ...]


def _near(e: QcEvent, others: Sequence[QcEvent], tolerance: int) -> bool:
    return any(o.video_index == e.video_index and abs(o.frame_idx - e.frame_idx) <= tolerance
               for o in others)


def recheck(
    earlier: Sequence[QcEvent], now: Sequence[QcEvent], *, tolerance: int = 3
) -> Recheck:
    """Compare the likely identity events of two reports of the same video by frame (track
    names may change when a file is proofread, so they are not compared)."""
    before = [e for e in earlier if e.likely and e.kind in IDENTITY_KINDS]
    after = [e for e in now if e.likely and e.kind in IDENTITY_KINDS]
    return Recheck(
        gone=tuple(e for e in before if not _near(e, after, tolerance)),
        remaining=tuple(e for e in before if _near(e, after, tolerance)),
        new=tuple(e for e in after if not _near(e, before, tolerance)),
    )
