"""``pose qc``: rank the frames of a tracked file where identities probably went wrong, and
write a report (``qc.json`` + a self-contained ``index.html``) to look at them.

The detection is :func:`pose_domain.qc.detect_identity_events` (no ground truth). With a
ground truth, the report also carries the identity metrics of ``pose eval``
(:func:`pose_domain.metrics.identity.identity_metrics`) and the true switch frames.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from pose_app.dataset import Dataset
from pose_app.ports.labels import LabelsStore
from pose_app.ports.qc import PathChecker, ReportWriter, Shot, ThumbnailRenderer
from pose_domain.defaults import DEFAULT_QC_THUMBNAILS
from pose_domain.errors import (
    InputNotFoundError,
    InvalidOptionError,
    MissingExtraError,
    UnsupportedInputError,
)
from pose_domain.metrics.identity import identity_metrics, identity_switches
from pose_domain.qc import (
    IDENTITY_KINDS,
    LIKELY,
    QcConfig,
    QcEvent,
    QcReport,
    Recheck,
    detect_identity_events,
    recheck,
)

#: ``(gt, pred) -> [(gt_video_index, pred_video_index), ...]`` (as for ``pose eval``).
VideoPairer = Callable[[Dataset, Dataset], list[tuple[int, int]]]


def _non_negative(inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise InvalidOptionError(f"--{attribute.name} must be >= 0, got {value}")


@attrs.frozen(kw_only=True)
class QcRequest:
    """Attributes:
    predictions_path: Tracked ``.slp`` (from pose, sleap-nn or SLEAP).
    output_dir: Report folder (created).
    video_path: The video, when not where the ``.slp`` says.
    ground_truth_path: Proofread ``.slp`` for identity metrics (optional).
    thumbnails: Most events that get a thumbnail (strongest first).
    config: Detector knobs.
    previous_path: An earlier report of this video (``qc.json`` or its folder): the new
        report says which of its likely events are gone, which remain, which are new.
    """

    predictions_path: str
    output_dir: str
    video_path: str | None = None
    ground_truth_path: str | None = None
    thumbnails: int = attrs.field(default=DEFAULT_QC_THUMBNAILS, validator=_non_negative)
    config: QcConfig = attrs.field(factory=QcConfig)
    previous_path: str | None = None


@attrs.frozen(kw_only=True)
class QcResult:
    """Attributes:
    reports: One detector report per video with tracked instances.
    document: What ``qc.json`` holds.
    written: Paths written.
    warnings: One-line notes for the user (e.g. the video was not found).
    """

    reports: tuple[QcReport, ...]
    document: dict[str, Any]
    written: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def locate_video(
    dataset: Dataset, video_index: int, override: str | None, exists: PathChecker
) -> tuple[str | None, list[str]]:
    """Find a video: ``override``, else the stored path as is, next to the ``.slp``, or its
    basename next to the ``.slp``.

    Returns:
        ``(path or None, paths tried)``.
    """
    if override:
        return (override if exists(override) else None), [override]
    stored = dataset.videos[video_index].filename if video_index < len(dataset.videos) else ""
    if not stored:
        return None, []
    here = os.path.dirname(os.path.abspath(dataset.source_path or "."))
    tried = list(dict.fromkeys([
        stored,
        os.path.join(here, stored),
        os.path.join(here, os.path.basename(stored)),
    ]))
    for path in tried:
        if exists(path):
            return path, tried
    return None, tried


def video_not_found(tried: Sequence[str], video_index: int) -> InputNotFoundError:
    """The one-line error for a video that cannot be found."""
    where = tried[0] if tried else f"video {video_index}"
    return InputNotFoundError(
        f"video not found: {where}", hint="pass the video with --video PATH"
    )


def _tracked_videos(dataset: Dataset) -> list[int]:
    seen = sorted({f.video_index for f in dataset.frames
                   if any(i.track is not None for i in f.instances)})
    return seen


@attrs.define
class QcUseCase:
    """Load, detect, optionally score against a ground truth, draw thumbnails, write."""

    loader: LabelsStore
    writer: ReportWriter
    thumbnails: ThumbnailRenderer | None = None
    pair_videos: VideoPairer | None = None
    exists: PathChecker = os.path.exists

    def run(self, request: QcRequest) -> QcResult:
        """Write the report of ``request.predictions_path`` into ``request.output_dir``.

        Raises:
            InputNotFoundError: a labels file is missing.
            UnsupportedInputError: the predictions carry no track.
            OutputWriteError: the report cannot be written.
        """
        pred = self.loader.load(request.predictions_path)
        videos = _tracked_videos(pred)
        if not videos:
            raise UnsupportedInputError(
                f"{request.predictions_path} has no tracked instance",
                hint="track it first: pose track -i FILE.slp -t",
            )
        reports = tuple(
            detect_identity_events(
                [f for f in pred.frames if f.video_index == vi], request.config, video_index=vi
            )
            for vi in videos
        )
        events = sorted((e for r in reports for e in r.events),
                        key=lambda e: (-e.score, e.video_index, e.frame_idx))
        warnings: list[str] = []
        identity, switches = self._identity(pred, request)
        earlier = self._previous(request)
        thumbs = self._thumbnails(pred, reports, events, request, warnings)
        video_paths = {
            vi: locate_video(pred, vi, request.video_path, self.exists)[0] for vi in videos
        }
        document = build_document(pred, request, reports, events, identity, switches,
                                  video_paths)
        if earlier is not None:
            add_recheck(document, earlier, events, request.previous_path or "")
        written = self.writer.write(request.output_dir, document, reports, thumbs)
        return QcResult(reports=reports, document=document, written=tuple(written),
                        warnings=tuple(warnings))

    def _previous(self, request: QcRequest) -> list[QcEvent] | None:
        if not request.previous_path:
            return None
        doc = self.writer.read_previous(request.previous_path)
        raw = doc.get("events")
        if not isinstance(raw, list):
            raise UnsupportedInputError(f"{request.previous_path} has no events list",
                                        hint="pass the qc.json of an earlier pose qc run")
        try:
            return [QcEvent.from_dict(d) for d in raw]
        except (KeyError, TypeError, ValueError) as exc:
            raise UnsupportedInputError(
                f"{request.previous_path}: an event cannot be read ({exc})",
                hint="pass the qc.json of an earlier pose qc run") from exc

    def _identity(
        self, pred: Dataset, request: QcRequest
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        if not request.ground_truth_path:
            return None, []
        gt = self.loader.load(request.ground_truth_path)
        pairs = self.pair_videos(gt, pred) if self.pair_videos else [(0, 0)]
        if not pairs:
            raise UnsupportedInputError(
                "no video of the predictions matches a video of the ground truth",
                hint="give the proofread labels of the same video with -g",
            )
        vmap = dict(pairs)
        metrics = identity_metrics(gt.frames, pred.frames, video_map=vmap)
        switches = [attrs.asdict(s) for s in
                    identity_switches(gt.frames, pred.frames, video_map=vmap)]
        return metrics, switches

    def _thumbnails(
        self, pred: Dataset, reports: Sequence[QcReport], events: Sequence[QcEvent],
        request: QcRequest, warnings: list[str],
    ) -> dict[int, bytes]:
        if self.thumbnails is None or request.thumbnails == 0:
            return {}
        out: dict[int, bytes] = {}
        wanted = list(enumerate(events[: request.thumbnails]))
        for vi in sorted({e.video_index for _, e in wanted}):
            path, tried = locate_video(pred, vi, request.video_path, self.exists)
            if path is None:
                warnings.append(video_not_found(tried, vi).one_line()
                                + "; the report has no thumbnails")
                continue
            mine = [(k, e) for k, e in wanted if e.video_index == vi]
            rep = next(r for r in reports if r.video_index == vi)
            shots = [shot_of(e, rep) for _, e in mine]
            try:
                images = self.thumbnails.render(pred, vi, path, shots)
            except (InputNotFoundError, MissingExtraError) as exc:
                warnings.append(exc.one_line() + "; the report has no thumbnails")
                continue
            for (k, _), img in zip(mine, images):
                if img is not None:
                    out[k] = img
        return out


#: A thumbnail's crop side: at least / at most this many body lengths.
_MIN_BODIES, _MAX_BODIES = 4.0, 8.0


def shot_of(event: QcEvent, report: QcReport) -> Shot:
    """The thumbnail of an event: its tracks at the event's frame and at the last frame
    before it where one of them was seen, cropped to a few body lengths."""
    before = event.frame_idx - 1
    seen = [max((f for f in t.frames if f < event.frame_idx), default=-1)
            for t in report.tracks if t.name in event.tracks]
    if seen and max(seen) >= 0:
        before = max(seen)
    body = report.body_length if report.body_length > 0 else 0.0
    return Shot(frame_idx=event.frame_idx, tracks=event.tracks,
                before=before if before >= 0 else None,
                min_side=_MIN_BODIES * body, max_side=_MAX_BODIES * body)


def add_recheck(
    document: dict[str, Any], earlier: Sequence[QcEvent], events: Sequence[QcEvent], path: str
) -> Recheck:
    """Mark ``document`` with what changed since an earlier report: ``summary.recheck``
    (gone / remaining / new likely events) and each event's ``recheck`` (``new`` or
    ``remains``, likely identity events only)."""
    r = recheck(earlier, events)
    document["summary"]["recheck"] = {
        "previous": path,
        "previous_likely": len(r.gone) + len(r.remaining),
        "gone": [e.to_dict() for e in r.gone],
        "remaining": [e.to_dict() for e in r.remaining],
        "new": [e.to_dict() for e in r.new],
    }
    new = {(e.video_index, e.frame_idx) for e in r.new}
    for d in document["events"]:
        if d.get("likely") and d["kind"] in IDENTITY_KINDS:
            d["recheck"] = "new" if (d["video_index"], d["frame_idx"]) in new else "remains"
    return r


def _near(frame: int, frames: Sequence[int], tolerance: int = 3) -> bool:
    return any(abs(frame - f) <= tolerance for f in frames)


def build_document(
    pred: Dataset,
    request: QcRequest,
    reports: Sequence[QcReport],
    events: Sequence[QcEvent],
    identity: dict[str, Any] | None,
    switches: Sequence[dict[str, Any]],
    video_paths: dict[int, str | None],
) -> dict[str, Any]:
    """The ``qc.json`` document: ranked ``events`` and a ``summary``."""
    by_kind: dict[str, int] = {}
    for e in events:
        by_kind[e.kind] = by_kind.get(e.kind, 0) + 1
    switch_frames = [int(s["frame_idx"]) for s in switches]
    ev = []
    for rank, e in enumerate(events, start=1):
        d = {"rank": rank, **e.to_dict()}
        if identity is not None:
            d["near_true_switch"] = e.kind in IDENTITY_KINDS and _near(e.frame_idx, switch_frames)
        ev.append(d)
    videos = []
    for r in reports:
        off = sum(1 for _, n in r.counts if n != r.expected_count)
        videos.append({
            "video_index": r.video_index,
            "video": pred.videos[r.video_index].filename if r.video_index < len(pred.videos)
            else "",
            "video_found": video_paths.get(r.video_index) is not None,
            "frame_range": list(r.frame_range),
            "labeled_frames": len(r.counts),
            "tracks": [t.name for t in r.tracks],
            "expected_count": r.expected_count,
            "frames_off_count": off,
            "body_length_px": round(r.body_length, 3),
            "motion_noise_px": round(r.motion_noise, 3),
        })
    summary: dict[str, Any] = {
        "predictions": request.predictions_path,
        "n_events": len(events),
        "n_likely": sum(e.likely for e in events),
        "likely_cutoff": LIKELY,
        "events_by_kind": by_kind,
        "identity_events": sum(by_kind.get(k, 0) for k in IDENTITY_KINDS),
        "track_order": [t.name for t in pred.tracks],
        "videos": videos,
        "detector": attrs.asdict(request.config),
        "ground_truth": request.ground_truth_path,
        "identity": identity,
        "true_switches": list(switches),
    }
    return {"events": ev, "summary": summary}
