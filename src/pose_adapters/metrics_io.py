"""Evaluation I/O: pair videos the way the reference does (sleap-io's ``Labels.match``) and
write metrics files in the reference's layout.

* ``.npz``: ``np.savez_compressed(path, metrics=<dict>)``, one 0-d object array named
  ``metrics`` (the SLEAP 1.4 layout the reference writes).
* sibling ``.json``: the same dict made JSON-safe (numpy → python, non-finite → ``null``) without
  ``pck_metrics.pcks``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from pose_adapters._files import write_atomic
from pose_app.dataset import Dataset


def pair_videos(gt: Dataset, pred: Dataset) -> list[tuple[int, int]]:
    """``(gt_video_index, pred_video_index)`` pairs, in prediction-video order.

    Uses sleap-io's ``Labels.match`` (the reference's matcher) when both datasets came from
    sleap-io; otherwise pairs by identical path, then by unique basename.
    """
    try:
        import sleap_io as sio
    except ImportError:  # pragma: no cover - sleap-io is a core dependency
        sio = None
    both_sio = sio is not None and all(isinstance(d.handle, sio.Labels) for d in (gt, pred))
    if both_sio:
        gt_labels: Any = gt.handle  # sleap_io.Labels (checked above)
        pred_labels: Any = pred.handle
        result = gt_labels.match(pred_labels)
        gt_index = {id(v): i for i, v in enumerate(gt_labels.videos)}
        pr_index = {id(v): i for i, v in enumerate(pred_labels.videos)}
        out = []
        for pv, gv in result.video_map.items():
            if gv is None or id(gv) not in gt_index or id(pv) not in pr_index:
                continue
            out.append((gt_index[id(gv)], pr_index[id(pv)]))
        return out
    out = []
    used: set[int] = set()
    for pi, pv in enumerate(pred.videos):
        cands = [i for i, gv in enumerate(gt.videos) if gv.filename == pv.filename]
        if not cands:
            base = os.path.basename(pv.filename)
            cands = [i for i, gv in enumerate(gt.videos) if os.path.basename(gv.filename) == base]
        cands = [i for i in cands if i not in used]
        if len(cands) == 1:
            used.add(cands[0])
            out.append((cands[0], pi))
    return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def metrics_to_json(metrics: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe view written next to the ``.npz`` (``pck_metrics.pcks`` dropped)."""
    slim = dict(metrics)
    if isinstance(slim.get("pck_metrics"), dict):
        slim["pck_metrics"] = {k: v for k, v in slim["pck_metrics"].items() if k != "pcks"}
    out: dict[str, Any] = _json_safe(slim)
    return out


def save_metrics(metrics: dict[str, Any], path: str) -> tuple[str, str]:
    """Write ``path`` (``.npz``, reference layout) and its sibling ``.json``.

    Returns:
        ``(npz_path, json_path)``.

    Raises:
        OutputWriteError: the folder is missing or not writable.
    """
    npz = Path(path)
    if npz.suffix != ".npz":
        npz = npz.with_name(npz.name + ".npz")  # np.savez_compressed appends it too
    js = npz.with_suffix(".json")

    def write_npz(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, metrics=np.array(metrics, dtype=object))

    def write_json(tmp: str) -> None:
        Path(tmp).write_text(json.dumps(metrics_to_json(metrics)))

    write_atomic(npz, ".npz.tmp", write_npz)
    write_atomic(js, ".json.tmp", write_json)
    return str(npz), str(js)
