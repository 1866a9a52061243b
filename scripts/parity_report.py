#!/usr/bin/env python3
"""Run every reference case with ``pose`` and print one line per case: the parity figures of
``compare_slp.py`` (max px, score differences, count agreement) or, for eval cases, whether the
metrics equal the reference's. Used before and after a refactor: the two reports must match.

Usage: scripts/parity_report.py [REFERENCE_DIR] [--only NAME ...] [--json OUT]
REFERENCE_DIR defaults to ../shared/fixtures/reference (cases run from its parent folder).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "tests" / "tools" / "compare_slp.py"


def _pose() -> list[str]:
    exe = shutil.which("pose", path=str(Path(sys.executable).parent)) or shutil.which("pose")
    return [exe] if exe else [sys.executable, "-m", "pose_cli"]


def _eval_case(case: dict, ref: Path, fixtures: Path, out: Path) -> dict:
    npz = out / "metrics.npz"
    cmd = [*_pose(), "eval", *case["args"], "--save_metrics", str(npz)]
    proc = subprocess.run(cmd, cwd=fixtures, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not npz.is_file():
        return {"ok": False, "error": (proc.stderr or proc.stdout).strip()[-300:]}
    with np.load(ref / "metrics.npz", allow_pickle=True) as a, np.load(npz, allow_pickle=True) as b:
        same = sorted(a.files) == sorted(b.files) and all(
            repr(a[k].tolist()) == repr(b[k].tolist()) for k in a.files
        )
    return {"ok": same, "metrics_identical": same}


def _predict_case(case: dict, ref: Path, fixtures: Path, out: Path) -> dict:
    slp = out / "predictions.slp"
    cmd = [*_pose(), case["command"], *case["args"], "-o", str(slp)]
    proc = subprocess.run(cmd, cwd=fixtures, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not slp.is_file():
        return {"ok": False, "error": (proc.stderr or proc.stdout).strip()[-300:]}
    args = [sys.executable, str(COMPARE), str(ref / "predictions.slp"), str(slp), "--json"]
    if any(a in ("-t", "--tracking") for a in case["args"]):
        args.append("--tracks")
    cmp = subprocess.run(args, capture_output=True, text=True, check=False)
    try:
        res = json.loads(cmp.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return {"ok": False, "error": cmp.stderr.strip()[-300:]}
    res["ok"] = cmp.returncode == 0
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference", nargs="?", default=str(ROOT.parent / "shared/fixtures/reference"))
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--json", default=None, help="write all results to this file")
    a = ap.parse_args()
    ref_dir = Path(a.reference).resolve()
    fixtures = ref_dir.parent
    cases = json.loads((ref_dir / "cases.json").read_text())
    results = {}
    keys = ("max_px", "max_score_diff", "max_point_score_diff", "count_agreement",
            "identity_agreement")
    for case in cases:
        name = case["name"]
        if a.only and name not in a.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            fn = _eval_case if case["command"] == "eval" else _predict_case
            res = fn(case, ref_dir / name, fixtures, Path(tmp))
        results[name] = res
        figures = " ".join(f"{k}={res[k]}" for k in keys if k in res)
        extra = res.get("error", "") if not res["ok"] else figures or "metrics identical"
        print(f"{'ok  ' if res['ok'] else 'FAIL'} {name:36s} {extra}", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1, sort_keys=True))
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
