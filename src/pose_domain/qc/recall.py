"""How many true identity switches a ranked event list points at (the QC acceptance measure).

True switch frames (from :func:`pose_domain.metrics.identity.identity_switches` against a
proofread truth) are clustered: consecutive switch frames at most ``tolerance`` apart form one
cluster. A cluster is *found* when one of the top ``k`` events of an identity kind (swap,
break) lies within ``tolerance`` frames of one of its frames. ``k`` defaults to
``max(20, 3 × number of switches)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from pose_domain.qc.events import IDENTITY_KINDS, QcEvent

#: Frames (about one second of video) of stable identity that separate two error runs.
RUN_GAP = 30


@attrs.frozen(kw_only=True)
class SwitchRecall:
    """Attributes:
    n_switches: True switches.
    clusters: Switch frames grouped into clusters.
    found: Per cluster: an identity event of the top ``k`` is near it.
    top_k: Events considered.
    """

    n_switches: int
    clusters: tuple[tuple[int, ...], ...]
    found: tuple[bool, ...]
    top_k: int

    @property
    def recall(self) -> float:
        """Fraction of clusters found (1.0 when there is no switch)."""
        return sum(self.found) / len(self.found) if self.found else 1.0


def cluster_frames(frames: Sequence[int], tolerance: int) -> list[tuple[int, ...]]:
    """Sorted frames grouped so that neighbours within ``tolerance`` share a cluster."""
    out: list[list[int]] = []
    for f in sorted(frames):
        if out and f - out[-1][-1] <= tolerance:
            out[-1].append(f)
        else:
            out.append([f])
    return [tuple(c) for c in out]


def switch_recall(
    switch_frames: Sequence[int],
    events: Sequence[QcEvent],
    *,
    tolerance: int = 3,
    top_k: int | None = None,
) -> SwitchRecall:
    """Recall of true switch clusters by the ranked ``events`` (module docstring).

    Args:
        switch_frames: Frame index of each true switch (repeats allowed).
        events: Events ranked best first (as :func:`detect_identity_events` returns them).
        tolerance: Frames of slack, for clustering and for matching an event.
        top_k: Events considered; None for ``max(20, 3 × len(switch_frames))``.
    """
    k = max(20, 3 * len(switch_frames)) if top_k is None else top_k
    hits = [e.frame_idx for e in events[:k] if e.kind in IDENTITY_KINDS]
    clusters = cluster_frames(switch_frames, tolerance)
    found = tuple(
        any(abs(h - f) <= tolerance for h in hits for f in c) for c in clusters
    )
    return SwitchRecall(n_switches=len(switch_frames), clusters=tuple(clusters), found=found,
                        top_k=k)


@attrs.frozen(kw_only=True)
class PrecisionRecall:
    """Attributes:
    k: Events considered (the first ``k`` of the ranked list, all kinds).
    precision: Share of those ``k`` events of an identity kind within ``tolerance`` frames of
        a true switch (events of other kinds count as misses).
    recall: Share of the switch clusters with such an event among the ``k``.
    """

    k: int
    precision: float
    recall: float


def precision_recall_at(
    switch_frames: Sequence[int], events: Sequence[QcEvent], k: int, *, tolerance: int = 3
) -> PrecisionRecall:
    """Precision and recall of the first ``k`` events against true switch frames (issue 27:
    ``k`` = the number of switch clusters, and twice that). With no event in the list the
    precision is 1.0 when there is no switch, else 0.0."""
    top = list(events[:k])
    hit = [e.kind in IDENTITY_KINDS and any(abs(e.frame_idx - f) <= tolerance
                                             for f in switch_frames) for e in top]
    clusters = cluster_frames(switch_frames, tolerance)
    found = [any(e.kind in IDENTITY_KINDS and abs(e.frame_idx - f) <= tolerance
                 for e in top for f in c) for c in clusters]
    precision = sum(hit) / len(top) if top else (0.0 if clusters else 1.0)
    recall = sum(found) / len(found) if found else 1.0
    return PrecisionRecall(k=k, precision=precision, recall=recall)


def error_runs(
    switches: Sequence[tuple[int, str]], gap: int = RUN_GAP, tolerance: int = 3
) -> list[tuple[int, int]]:
    """True errors as a proofreader counts them (ADR-0192): ``(frame, gt_track)`` switches
    that share a ground-truth track and chain within ``gap`` frames (or lie within
    ``tolerance`` frames of each other) are one run, fixed once; each run as ``(first,
    last)`` frame, sorted."""
    order = sorted(range(len(switches)), key=lambda j: switches[j][0])
    run = list(range(len(switches)))

    def root(j: int) -> int:
        while run[j] != j:
            j = run[j]
        return j

    last: dict[str, int] = {}
    prev = None
    for j in order:
        f, g = switches[j]
        if g in last and f - switches[last[g]][0] <= gap:
            run[root(j)] = root(last[g])
        if prev is not None and f - switches[prev][0] <= tolerance:
            run[root(j)] = root(prev)
        last[g], prev = j, j
    spans: dict[int, list[int]] = {}
    for j, (f, _) in enumerate(switches):
        spans.setdefault(root(j), []).append(f)
    return sorted((min(v), max(v)) for v in spans.values())


def precision_recall_runs(
    runs: Sequence[tuple[int, int]], events: Sequence[QcEvent], k: int, *, tolerance: int = 3
) -> PrecisionRecall:
    """Precision and recall of the first ``k`` events against error runs: an identity event
    within ``tolerance`` frames of a run's frames is a hit; a run is found when such an event
    is among the ``k``."""
    top = list(events[:k])

    def inside(e: QcEvent, run: tuple[int, int]) -> bool:
        return e.kind in IDENTITY_KINDS and run[0] - tolerance <= e.frame_idx <= run[1] + tolerance

    hit = [any(inside(e, r) for r in runs) for e in top]
    found = [any(inside(e, r) for e in top) for r in runs]
    precision = sum(hit) / len(top) if top else (0.0 if runs else 1.0)
    recall = sum(found) / len(found) if found else 1.0
    return PrecisionRecall(k=k, precision=precision, recall=recall)
