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


def device_used(models: Sequence[LoadedModel], requested: str,
                system: dict[str, Any]) -> str:
    """The device the networks ran on (the runtimes' own, not ``auto``)."""
    seen: list[str] = []
    for m in models:
        d = getattr(m.runtime, "device", None)
        if d is not None and str(d) not in ("", "auto") and str(d) not in seen:
            seen.append(str(d))
    if seen:
        return ",".join(seen)
    if requested and requested != "auto":
        return requested
    return str(system.get("accelerator") or "cpu")


def documented_keys(request: PredictRequest, models: Sequence[LoadedModel], facts: RunFacts,
                    system: dict[str, Any], ended_at: str,
                    video_paths: Sequence[str]) -> dict[str, Any]:
    """The keys the sleap-nn documentation lists under "Provenance Metadata" (pose's own
    version under ``pose_version``; ``sleap_nn_version`` is sleap-nn's, null when it is not
    installed)."""
    inf = request.inference
    return {
        "timestamp_start": facts.started_at,
        "timestamp_end": ended_at,
        "runtime_sec": round(facts.seconds, 6),
        "pose_version": system.get("pose_version"),
        "sleap_nn_version": system.get("sleap_nn_version"),
        "sleap_io_version": system.get("sleap_io_version"),
        "torch_version": system.get("pytorch_version"),
        "model_paths": [os.path.abspath(p) for p in request.model_paths],
        "model_type": facts.model_type,
        "head_type": [m.spec.model_type for m in models],
        "source_path": os.path.abspath(request.data_path),
        "source_video_paths": list(video_paths),
        "peak_threshold": inf.peak_threshold,
        "batch_size": inf.batch_size,
        "max_instances": inf.max_instances,
        "device": device_used(models, inf.device, system),
        "python_version": platform.python_version(),
        "cuda_version": system.get("cuda_version"),
        "gpu_names": list(system.get("gpus") or []),
    }


def build_provenance(request: PredictRequest, models: Sequence[LoadedModel], facts: RunFacts,
                     system_info: SystemInfo,
                     video_paths: Sequence[str] = ()) -> dict[str, Any]:
    """The provenance dict: the documented keys (:func:`documented_keys`, null when unknown),
    then the keys the reference's code writes (left out when None)."""
    inf = request.inference
    skipped = facts.skipped
    system = system_info() if callable(system_info) else dict(system_info)
    ended_at = _dt.datetime.now().isoformat()
    documented = documented_keys(request, models, facts, system, ended_at, video_paths)
    prov: dict[str, Any] = {
        **documented,
        "inference_start_timestamp": facts.started_at,
        "inference_end_timestamp": ended_at,
        "inference_runtime_seconds": round(facts.seconds, 6),
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
        "device_requested": inf.device,
        "runtime": sorted({m.runtime.name for m in models}),
        "system_info": {
            "python_version": platform.python_version(),
            "platform": platform.platform(),
            **system,
        },
    }
    if request.cli_args is not None:
        prov["cli_args"] = json_safe(request.cli_args)
    return {k: v for k, v in prov.items() if v is not None or k in documented}


def json_safe(value: Any) -> Any:
    """Plain JSON types only (provenance is stored as JSON); anything else becomes ``str``."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
