"""Detector time scales in the file's own sampling (ADR-0192).

A file tracked every ``s``-th frame has observations ``s`` frames apart: the time scales that
count observations (how long a track stays a candidate, how long a break may last, the
longest gap a velocity is estimated over) are multiplied by ``s``. The merge radius is not: it
says which events are one error, and a proofreader (and ``benchmarks/bench_qc.py``) judges
that in frames of video; scaling it merged neighbouring errors of a file tracked every 3rd
frame (measured in ADR-0192).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from pose_domain.qc.events import QcConfig


def sampling_step(frame_indices: Sequence[int]) -> int:
    """The most common gap between consecutive labeled frames (1 with fewer than two)."""
    f = np.unique(np.asarray(frame_indices, dtype=np.int64))
    d = np.diff(f)
    d = d[d > 0]
    return int(np.bincount(d).argmax()) if len(d) else 1


def scaled_config(cfg: QcConfig, step: int) -> QcConfig:
    """``cfg`` with its observation counts expressed in samples of ``step`` frames."""
    if step <= 1:
        return cfg
    return attrs.evolve(cfg, window=cfg.window * step, break_window=cfg.break_window * step)
