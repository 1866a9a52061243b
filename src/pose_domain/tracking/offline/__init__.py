"""Offline identity tracking over the whole video (``--tracker global``).

Design: docs/tracking_global.md. The stages are pure functions of typed values
(:mod:`~pose_domain.tracking.offline.values`), each with its config section, composed by
:func:`~pose_domain.tracking.offline.pipeline.solve`; :class:`GlobalTracker` is the tracker
object the pipelines drive (``track()`` collects, ``finalize()`` solves per video).
"""

from pose_domain.tracking.offline.config import (
    FlipConfig,
    GlobalConfig,
    LinkConfig,
    NodeConfig,
    RefineConfig,
    SplitConfig,
    TrackletConfig,
)
from pose_domain.tracking.offline.pipeline import Solution, solve
from pose_domain.tracking.offline.tracker import GlobalTracker

__all__ = [
    "FlipConfig",
    "GlobalConfig",
    "GlobalTracker",
    "LinkConfig",
    "NodeConfig",
    "RefineConfig",
    "Solution",
    "SplitConfig",
    "TrackletConfig",
    "solve",
]
