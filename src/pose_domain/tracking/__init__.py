"""Identity tracking: features, scores, the reference-exact online tracker, post-processing
and the offline (whole-video) global tracker.
"""

from pose_domain.tracking.offline import GlobalConfig, GlobalTracker
from pose_domain.tracking.online import OnlineConfig, OnlineTracker, PointFlow

__all__ = ["GlobalConfig", "GlobalTracker", "OnlineConfig", "OnlineTracker", "PointFlow"]
