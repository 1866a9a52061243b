"""``pose eval``: evaluate predictions against ground truth (sleap-nn ``eval`` flags)."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from typing import TYPE_CHECKING, Annotated, Any

from cyclopts import Parameter

from pose_app.options_eval import EvaluateRequest
from pose_cli.options import cli_type, to_options

if TYPE_CHECKING:
    CliEvaluateRequest = EvaluateRequest
else:  # the flags' twin of EvaluateRequest (what cyclopts parses)
    CliEvaluateRequest = cli_type(EvaluateRequest)


def evaluate(
    *,
    request: Annotated[CliEvaluateRequest, Parameter(name="*")],
    as_json: Annotated[
        bool, Parameter(name="--json", negative="", help="Print the result as JSON.")
    ] = False,
) -> int:
    """Evaluate predictions against ground truth: OKS mAP/mAR, PCK, distances, visibility
    (as sleap-nn eval) and, when both files carry tracks, identity metrics (IDF1, MOTA, …).

    Every flag but ``--json`` (how the result is printed) is a field of
    :class:`pose_app.evaluate.EvaluateRequest` (ADR-0095).
    """
    from pose import bootstrap

    req = to_options(EvaluateRequest, request)
    with contextlib.ExitStack() as held:
        if req.save_metrics:  # one writer per metrics file (ADR-0130)
            npz = req.save_metrics if req.save_metrics.endswith(".npz") \
                else req.save_metrics + ".npz"
            held.enter_context(bootstrap.output_lock(npz))
        result = bootstrap.build_evaluate_use_case().run(req)
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
