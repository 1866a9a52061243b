"""Tracking defaults shared by the domain trackers and the option classes (one constant each).

The values are sleap-nn 0.3.5's defaults.
"""

from __future__ import annotations

#: Past frames whose instances are candidates (``--tracking_window_size``).
DEFAULT_TRACKING_WINDOW_SIZE = 5
#: OKS keypoint standard deviation of the tracking scores.
DEFAULT_TRACKING_OKS_STDDEV = 0.025
#: The same when a Kalman filter tracks every keypoint (``--kf_track_features keypoints``).
KALMAN_KEYPOINTS_OKS_STDDEV = 0.1
#: Optical flow: image scale, window size (px) and pyramid levels.
DEFAULT_OF_IMG_SCALE = 1.0
DEFAULT_OF_WINDOW_SIZE = 21
DEFAULT_OF_MAX_LEVELS = 3
#: Kalman: warm-up frames before the filters are fit, and missed frames before a reset.
DEFAULT_KF_INIT_FRAME_COUNT = 10
DEFAULT_KF_RESET_GAP_SIZE = 5
