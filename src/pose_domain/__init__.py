"""The pose vocabulary and its algorithms.

Pure Python + numpy (scipy only in :mod:`pose_domain.matching`). No frameworks, runtimes,
file formats or CLI libraries: see ``docs/adr/0003-numpy-domain.md``. The names below are
imported lazily so that ``pose --help`` (which needs only :mod:`pose_domain.errors`) does not
import numpy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Instance", "LabeledFrame", "PeakSet", "PredictedInstance", "Skeleton", "Track"]

_HOMES = {
    "Instance": "pose_domain.instance",
    "LabeledFrame": "pose_domain.instance",
    "PredictedInstance": "pose_domain.instance",
    "Track": "pose_domain.instance",
    "PeakSet": "pose_domain.peaks",
    "Skeleton": "pose_domain.skeleton",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(name)
