"""The provenance a prediction run records in its output (JSON-able)."""

from __future__ import annotations

import datetime as _dt
import os
import platform
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from pose_app.ports.models import LoadedModel
from pose_app.predict.request import PredictRequest

SystemInfo = dict[str, Any] | Callable[[], dict[str, Any]]


@attrs.frozen(kw_only=True)
class RunFacts:
    """What happened in a run, for the provenance.

    Attributes:
        model_type: The pipeline's name.
        started_at: ISO timestamp of the start.
        seconds: Wall time.
        n_frames: Frames that went through the run (skipped ones included).
        skipped: ``(video_index, frame_idx)`` of undecodable frames.
        method: How frames were selected.
        resumed: Frames restored from persisted chunks.
        fast_mode: What a fast mode ran on, how it was calibrated and how well it agreed
            with exact fp32 (ADR-0181); None in exact mode.
    """

    model_type: str
    started_at: str
    seconds: float
    n_frames: int
    skipped: list[tuple[int, int]]
    method: str
    resumed: int = 0
    fast_mode: dict[str, Any] | None = None


def build_provenance(request: PredictRequest, models: Sequence[LoadedModel], facts: RunFacts,
                     system_info: SystemInfo) -> dict[str, Any]:
    """The provenance dict (keys with a None value are left out)."""
    inf = request.inference
    skipped = facts.skipped
    prov: dict[str, Any] = {
        "inference_start_timestamp": facts.started_at,
        "inference_end_timestamp": _dt.datetime.now().isoformat(),
        "inference_runtime_seconds": round(facts.seconds, 6),
        "model_paths": [os.path.abspath(p) for p in request.model_paths],
        "model_type": facts.model_type,
        "models": [
            {
                "path": os.path.abspath(m.spec.path),
                "model_type": m.spec.model_type,
                "backbone": m.spec.backbone.label,
                "format": m.spec.source_format,
                "runtime": m.runtime.name,
            }
            for m in models
        ],
        "source_file": os.path.abspath(request.data_path),
        "frame_selection": {
            "method": facts.method,
            "frames_processed": facts.n_frames - len(skipped),
            "frames_skipped": len(skipped),
            "skipped_frames": [list(s) for s in skipped],
            "frames_resumed": facts.resumed,
        },
        "inference_config": attrs.asdict(inf),
        "tracking_config": attrs.asdict(request.tracking) if request.tracking else None,
        "fast_mode": facts.fast_mode,
        "device": inf.device,
        "runtime": sorted({m.runtime.name for m in models}),
        "system_info": {
            "python_version": platform.python_version(),
            "platform": platform.platform(),
            **(system_info() if callable(system_info) else system_info),
        },
    }
    if request.cli_args is not None:
        prov["cli_args"] = json_safe(request.cli_args)
    return {k: v for k, v in prov.items() if v is not None}


def json_safe(value: Any) -> Any:
    """Plain JSON types only (provenance is stored as JSON); anything else becomes ``str``."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
