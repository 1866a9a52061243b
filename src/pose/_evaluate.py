"""sleap-nn's ``Evaluator``: the metrics of ``pose eval`` for two labels in memory (or paths)."""

from __future__ import annotations

import os
from typing import Any

from pose_domain.errors import InvalidOptionError


def _dataset(labels: Any, name: str) -> Any:
    import sleap_io as sio

    from pose import bootstrap
    from pose_adapters import inmemory as memory

    if isinstance(labels, sio.Labels):
        return memory.InMemoryLabelsStore(labels).load(name)
    if isinstance(labels, (str, os.PathLike)):
        return bootstrap.labels_store().load(os.fspath(labels))
    raise InvalidOptionError(
        f"{name} must be a sio.Labels or a .slp path, got {type(labels).__name__}")


class Evaluator:
    """Compare predictions with ground truth, as ``pose eval`` does (same use case).

    Args:
        ground_truth_instances: Ground-truth ``sio.Labels`` (or a ``.slp`` path).
        predicted_instances: Predicted ``sio.Labels`` (or a ``.slp`` path).
        oks_stddev: OKS keypoint standard deviation.
        oks_scale: Fixed OKS area in px² (None: each ground-truth instance's bbox area).
        match_threshold: An OKS at or below this never matches.
        user_labels_only: Evaluate only the user-labeled ground-truth instances.
        **options: Other ``pose eval`` options by name (``match_method``, ``anchor_part``…).

    Example::

        metrics = pose.Evaluator(gt_labels, pred_labels).evaluate()
        metrics["voc_metrics"]["oks_voc.mAP"], metrics["mOKS"]["mOKS"]
    """

    def __init__(self, ground_truth_instances: Any, predicted_instances: Any,
                 oks_stddev: float = 0.025, oks_scale: float | None = None,
                 match_threshold: float = 0.0, user_labels_only: bool = True,
                 **options: Any) -> None:
        from pose_app.evaluate import EvaluateOptions

        known = {"identity_match", "identity_threshold", "match_method", "anchor_part"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidOptionError(f"unknown Evaluator argument(s): {', '.join(unknown)}",
                                     hint="see help(pose.Evaluator)")
        self.options = EvaluateOptions(oks_stddev=oks_stddev, oks_scale=oks_scale,
                                       match_threshold=match_threshold,
                                       user_labels_only=user_labels_only, **options)
        self._gt = _dataset(ground_truth_instances, "ground_truth_instances")
        self._pred = _dataset(predicted_instances, "predicted_instances")
        self._result: Any = None

    def _run(self) -> Any:
        if self._result is None:
            from pose import bootstrap
            from pose_app.evaluate import EvaluateRequest

            use_case = bootstrap.build_evaluate_use_case()
            request = EvaluateRequest(ground_truth_path="<ground truth>",
                                      predicted_path="<predictions>", options=self.options)
            self._result = use_case.evaluate(self._gt, self._pred, request)
        return self._result

    def evaluate(self) -> dict[str, Any]:
        """All metrics: ``voc_metrics``, ``mOKS``, ``distance_metrics``, ``pck_metrics``,
        ``visibility_metrics`` (empty when there is no predicted instance to compare)."""
        return dict(self._run().metrics or {})

    def _part(self, key: str) -> dict[str, Any]:
        return dict(self.evaluate().get(key) or {})

    def voc_metrics(self, match_score_by: str = "oks") -> dict[str, Any]:
        """VOC precision / recall over match-score thresholds: ``match_score_by="oks"``
        (``oks_voc.mAP``, ``oks_voc.mAR``…) or ``"pck"`` (``pck_voc.*``)."""
        if match_score_by not in ("oks", "pck"):
            raise InvalidOptionError(
                f"match_score_by must be 'oks' or 'pck', got {match_score_by!r}")
        prefix = f"{match_score_by}_voc."
        return {k: v for k, v in self._part("voc_metrics").items() if k.startswith(prefix)}

    def mOKS(self) -> dict[str, Any]:
        """Mean OKS of the matched pairs (``{"mOKS": value}``)."""
        return self._part("mOKS")

    def distance_metrics(self) -> dict[str, Any]:
        """Node distances of the matched pairs (``avg``, percentiles ``p50``…)."""
        return self._part("distance_metrics")

    def pck_metrics(self) -> dict[str, Any]:
        """Percentage of correct keypoints over distance thresholds (``mPCK``…)."""
        return self._part("pck_metrics")

    def visibility_metrics(self) -> dict[str, Any]:
        """Node visibility precision / recall."""
        return self._part("visibility_metrics")

    @property
    def identity_metrics(self) -> dict[str, Any] | None:
        """Identity metrics (IDF1, MOTA…) when both labels carry tracks, else None."""
        result = self._run().identity
        return dict(result) if result is not None else None
