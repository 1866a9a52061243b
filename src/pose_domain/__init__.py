"""The pose vocabulary and its algorithms.

Pure Python + numpy (scipy only in :mod:`pose_domain.matching`). No frameworks, runtimes,
file formats or CLI libraries: see ``docs/adr/0003-numpy-domain.md``.
"""

from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.peaks import PeakSet
from pose_domain.skeleton import Skeleton

__all__ = ["Instance", "LabeledFrame", "PeakSet", "PredictedInstance", "Skeleton", "Track"]
