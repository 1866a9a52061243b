"""Evaluate predictions against ground truth (``pose eval``, the reference's ``sleap-nn eval``).

Frame pairing follows the reference: videos are paired by a :class:`VideoPairer` (sleap-io's
matcher in production); for each GT frame of a paired video, the evaluated GT instances are its
user instances (all instances when ``user_labels_only`` is false) and frames without any are
skipped; the prediction frame is the one with the same ``frame_idx`` in the paired video
(frames without one are skipped). The metric maths lives in :mod:`pose_domain.metrics`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs

from pose_app.dataset import Dataset
from pose_app.options_eval import EvaluateOptions, EvaluateRequest  # noqa: F401 - re-exported
from pose_app.ports.labels import LabelsStore
from pose_domain.errors import UnsupportedInputError
from pose_domain.instance import LabeledFrame
from pose_domain.metrics.centroid import centroid_metrics
from pose_domain.metrics.evaluation import FramePair, evaluate_frame_pairs
from pose_domain.metrics.identity import identity_metrics

log = logging.getLogger("pose")


#: ``(gt, pred) -> [(gt_video_index, pred_video_index), ...]``.
VideoPairer = Callable[[Dataset, Dataset], list[tuple[int, int]]]
#: ``(metrics, path) -> written paths``.
MetricsWriter = Callable[[dict[str, Any], str], Any]


@attrs.frozen(kw_only=True)
class EvaluateResult:
    """Outcome of an evaluation.

    Attributes:
        metrics: The reference's metrics dict, or None when there is no predicted instance.
        identity: Identity metrics, or None when either file has no tracks.
        n_videos: ``(matched, predicted videos)``.
        n_frame_pairs: Frame pairs evaluated.
        n_matched: Matched GT↔prediction pairs.
        n_unmatched_gt: GT instances left unmatched.
        saved: Paths written by ``save_metrics`` (empty when not saving).
    """

    metrics: dict[str, Any] | None
    identity: dict[str, Any] | None
    n_videos: tuple[int, int]
    n_frame_pairs: int
    n_matched: int
    n_unmatched_gt: int
    saved: tuple[str, ...] = ()


def pair_frames(
    gt: Dataset,
    pred: Dataset,
    video_pairs: list[tuple[int, int]],
    user_labels_only: bool = True,
) -> list[FramePair]:
    """Frame pairs in GT order per paired video (see the module docstring)."""
    pred_index: dict[tuple[int, int], list[LabeledFrame]] = {}
    for fr in pred.frames:
        pred_index.setdefault((fr.video_index, fr.frame_idx), []).append(fr)
    out: list[FramePair] = []
    for gvi, pvi in video_pairs:
        path = gt.videos[gvi].filename if gvi < len(gt.videos) else ""
        for fr in gt.frames:
            if fr.video_index != gvi:
                continue
            insts = fr.user_instances if user_labels_only else list(fr.instances)
            if not insts:
                continue
            matches = pred_index.get((pvi, fr.frame_idx), [])
            if not matches:
                continue
            preds = [i for m in matches for i in m.predicted_instances]
            out.append(FramePair(gt=insts, pred=preds, frame_idx=fr.frame_idx, video_path=path))
    return out


def _has_tracks(frames: list[LabeledFrame]) -> bool:
    return any(i.track is not None for f in frames for i in f.instances)


def resolve_match_method(method: str, pred: Dataset) -> str:
    """``auto`` -> ``centroid`` when the predictions' skeleton has one node, else ``oks``."""
    if method != "auto":
        return method
    sk = pred.skeleton
    return "centroid" if sk is not None and sk.n_nodes == 1 else "oks"


def anchor_index(gt: Dataset, anchor_part: str | None) -> int | None:
    """The GT node index of ``anchor_part`` (None when unset or not in the skeleton)."""
    if anchor_part is None or gt.skeleton is None:
        return None
    names = list(gt.skeleton.nodes)
    if anchor_part in names:
        return names.index(anchor_part)
    log.warning(
        "anchor part %r is not a node of the ground truth (%s); using the mean of visible "
        "nodes", anchor_part, ", ".join(names),
    )
    return None


@attrs.define
class EvaluateUseCase:
    """Load both files, pair videos and frames, compute and optionally save the metrics."""

    labels_store: LabelsStore
    pair_videos: VideoPairer
    write_metrics: MetricsWriter | None = None

    def run(self, request: EvaluateRequest) -> EvaluateResult:
        """Evaluate ``request.predicted_path`` against ``request.ground_truth_path``.

        Raises:
            UnsupportedInputError: no video or frame of the two files can be paired.
            InputNotFoundError: a file is missing (from the labels store).
        """
        gt = self.labels_store.load(request.ground_truth_path)
        pred = self.labels_store.load(request.predicted_path)
        return self.evaluate(gt, pred, request)

    def evaluate(self, gt: Dataset, pred: Dataset, request: EvaluateRequest) -> EvaluateResult:
        """Evaluate already-loaded datasets."""
        opts = request.options
        video_pairs = self.pair_videos(gt, pred)
        if not video_pairs:
            raise UnsupportedInputError(
                "no video of the predictions matches a video of the ground truth",
                hint="evaluate predictions made on the ground truth's videos",
            )
        frame_pairs = pair_frames(gt, pred, video_pairs, opts.user_labels_only)
        if resolve_match_method(opts.match_method, pred) == "centroid":
            return self._centroid(gt, pred, request, frame_pairs, video_pairs)
        n_nodes = gt.skeleton.n_nodes if gt.skeleton is not None else 0
        if n_nodes == 0 and frame_pairs:
            n_nodes = frame_pairs[0].gt[0].n_nodes
        metrics = evaluate_frame_pairs(
            frame_pairs,
            n_nodes,
            oks_stddev=opts.oks_stddev,
            oks_scale=opts.oks_scale,
            match_threshold=opts.match_threshold,
        )
        identity = None
        if _has_tracks(gt.frames) and _has_tracks(pred.frames):
            identity = identity_metrics(
                gt.frames,
                pred.frames,
                match_by=opts.identity_match,
                threshold=opts.identity_threshold,
                oks_stddev=opts.oks_stddev,
                user_labels_only=opts.user_labels_only,
                video_map=dict(video_pairs),
            )
        n_matched = n_unmatched = 0
        if metrics is not None:
            n_matched = len(metrics["distance_metrics"]["frame_idxs"])
            n_gt = sum(len(fp.gt) for fp in frame_pairs)
            n_unmatched = n_gt - n_matched
        saved = self._save(metrics, request)
        return EvaluateResult(
            metrics=metrics,
            identity=identity,
            n_videos=(len(video_pairs), len(pred.videos)),
            n_frame_pairs=len(frame_pairs),
            n_matched=n_matched,
            n_unmatched_gt=n_unmatched,
            saved=saved,
        )

    def _save(self, metrics: dict[str, Any] | None, request: EvaluateRequest) -> tuple[str, ...]:
        saved: tuple[str, ...] = ()
        if request.save_metrics and metrics is not None and self.write_metrics is not None:
            written = self.write_metrics(metrics, request.save_metrics)
            saved = tuple(str(p) for p in written) if written else (request.save_metrics,)
        return saved

    def _centroid(
        self, gt: Dataset, pred: Dataset, request: EvaluateRequest,
        frame_pairs: list[FramePair], video_pairs: list[tuple[int, int]],
    ) -> EvaluateResult:
        """Centroid-mode metrics (parity notes §6.5); ``match_threshold`` is in px (0 = 50)."""
        opts = request.options
        frames = [([i.points for i in fp.gt], [i.points for i in fp.pred], fp.frame_idx,
                   fp.video_path) for fp in frame_pairs]
        metrics = centroid_metrics(frames, anchor=anchor_index(gt, opts.anchor_part),
                                   max_distance=opts.match_threshold)
        det = metrics["detection_metrics"]
        return EvaluateResult(
            metrics=metrics, identity=None,
            n_videos=(len(video_pairs), len(pred.videos)),
            n_frame_pairs=len(frame_pairs), n_matched=int(det["n_tp"]),
            n_unmatched_gt=int(det["n_fn"]), saved=self._save(metrics, request),
        )
