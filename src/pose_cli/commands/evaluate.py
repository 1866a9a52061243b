"""``pose eval``: evaluate predictions against ground truth (sleap-nn ``eval`` flags)."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from typing import Annotated, Any, Literal

from cyclopts import Parameter


def _p(*names: str, help: str = "", negative: str | None = None) -> Parameter:
    if negative is None:
        return Parameter(name=list(names), help=help)
    return Parameter(name=list(names), help=help, negative=negative)


def evaluate(
    *,
    ground_truth_path: Annotated[
        str, _p("--ground_truth_path", "-g", help="Ground-truth .slp (user labels).")
    ],
    predicted_path: Annotated[str, _p("--predicted_path", "-p", help="Predictions .slp.")],
    save_metrics: Annotated[
        str | None,
        _p("--save_metrics", "-s", help="Write metrics to this .npz (plus a sibling .json)."),
    ] = None,
    oks_stddev: Annotated[
        float, _p("--oks_stddev", help="OKS keypoint standard deviation (reference: 0.025).")
    ] = 0.025,
    oks_scale: Annotated[
        float | None, _p("--oks_scale", help="Fixed OKS area in px² (default: GT bbox area).")
    ] = None,
    match_threshold: Annotated[
        float, _p("--match_threshold", help="OKS at or below this never matches.")
    ] = 0.0,
    user_labels_only: Annotated[
        bool,
        _p("--user_labels_only", negative="--no-user_labels_only",
           help="Evaluate only user-labeled GT instances."),
    ] = True,
    match_method: Annotated[
        str, _p("--match_method", help="oks, centroid (px distance) or auto (centroid for "
                "1-node predictions, else oks); mask/semantic are segmentation-only.")
    ] = "auto",
    anchor_part: Annotated[
        str | None, _p("--anchor_part", help="Centroid mode: GT node used as the centroid "
                       "(default: mean of visible nodes).")
    ] = None,
    identity_match: Annotated[
        Literal["distance", "oks"],
        _p("--identity_match", help="Identity metrics: match poses by mean node distance or OKS."),
    ] = "distance",
    identity_threshold: Annotated[
        float | None,
        _p("--identity_threshold",
           help="Identity matching threshold (px or OKS; default 50 px / 0.5)."),
    ] = None,
    as_json: Annotated[bool, _p("--json", negative="", help="Print the result as JSON.")] = False,
) -> int:
    """Evaluate predictions against ground truth: OKS mAP/mAR, PCK, distances, visibility
    (as sleap-nn eval) and, when both files carry tracks, identity metrics (IDF1, MOTA, …)."""
    from pose import bootstrap
    from pose_app.evaluate import EvaluateOptions, EvaluateRequest

    options = EvaluateOptions(
        oks_stddev=oks_stddev,
        oks_scale=oks_scale,
        match_threshold=match_threshold,
        user_labels_only=user_labels_only,
        identity_match_by=identity_match,
        identity_threshold=identity_threshold,
        match_method=match_method,
        anchor_part=anchor_part,
    )
    request = EvaluateRequest(
        ground_truth_path=ground_truth_path,
        predicted_path=predicted_path,
        save_metrics=save_metrics,
        options=options,
    )
    with contextlib.ExitStack() as held:
        if save_metrics:  # one writer per metrics file (ADR-0130)
            npz = save_metrics if save_metrics.endswith(".npz") else save_metrics + ".npz"
            held.enter_context(bootstrap.output_lock(npz))
        result = bootstrap.build_evaluate_use_case().run(request)
    if as_json:
        print(json.dumps(_json_summary(result), indent=2))
    else:
        _print_table(result)
    return 0


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    if "detection_metrics" in metrics:
        det = metrics["detection_metrics"]
        return {k: det[k] for k in ("precision", "recall", "f1", "n_tp", "n_fp", "n_fn")} | {
            f"dist.{k}": det[k] for k in ("avg", "p50", "p75", "p90", "p95", "p99")
        }
    voc = metrics["voc_metrics"]
    dist = metrics["distance_metrics"]
    pck = metrics["pck_metrics"]
    vis = metrics["visibility_metrics"]
    return {
        "mOKS": metrics["mOKS"]["mOKS"],
        "oks_voc.mAP": voc["oks_voc.mAP"],
        "oks_voc.mAR": voc["oks_voc.mAR"],
        "pck_voc.mAP": voc["pck_voc.mAP"],
        "pck_voc.mAR": voc["pck_voc.mAR"],
        "dist.avg": dist["avg"],
        "dist.p50": dist["p50"],
        "dist.p90": dist["p90"],
        "dist.p95": dist["p95"],
        "dist.p99": dist["p99"],
        "mPCK": pck["mPCK"],
        "PCK@5": pck["PCK@5"],
        "PCK@10": pck["PCK@10"],
        "visibility.precision": vis["precision"],
        "visibility.recall": vis["recall"],
    }


def _json_summary(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "videos_matched": result.n_videos[0],
        "frame_pairs": result.n_frame_pairs,
        "matched_instances": result.n_matched,
        "unmatched_gt": result.n_unmatched_gt,
        "metrics": None if result.metrics is None else _summary(result.metrics),
        "identity": result.identity,
        "saved": list(result.saved),
    }
    return dict(_clean(out))


def _fmt(v: Any) -> str:
    v = _clean(v)
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def _print_table(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"videos matched {result.n_videos[0]}/{result.n_videos[1]} · frame pairs "
        f"{result.n_frame_pairs} · matched instances {result.n_matched} · unmatched GT "
        f"{result.n_unmatched_gt}"
    )
    if result.metrics is None:
        print("pose: warning: no predicted instances; pose metrics skipped", file=sys.stderr)
    else:
        table = Table(title="Pose metrics (sleap-nn eval)")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for k, v in _summary(result.metrics).items():
            table.add_row(k, _fmt(v) + (" px" if k.startswith("dist.") else ""))
        console.print(table)
    if result.identity is not None:
        ident = Table(title=f"Identity metrics (match by {result.identity['match_by']}, "
                      f"threshold {result.identity['threshold']:g})")
        ident.add_column("metric")
        ident.add_column("value", justify="right")
        for k in ("id_switches", "idf1", "idp", "idr", "id_switches_clearmot", "mota",
                  "idf1_all_pairs", "fragmentations",
                  "mostly_tracked", "partially_tracked", "mostly_lost", "misses",
                  "false_positives", "num_gt_tracks", "num_pred_tracks"):
            ident.add_row(k, _fmt(result.identity[k]))
        console.print(ident)
    for path in result.saved:
        print(f"pose: wrote {path}", file=sys.stderr)
