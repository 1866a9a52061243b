"""Default values shared by the domain and the option classes: one constant each.

The values are sleap-nn 0.3.5's defaults unless said otherwise. This module imports nothing,
so option classes (and ``pose CMD --help``) can use it without numpy.
"""

from __future__ import annotations

# ------------------------------------------------------------------ peaks and PAF grouping
#: Smallest confidence-map value that counts as a peak (``--peak_threshold``).
DEFAULT_PEAK_THRESHOLD = 0.2
#: Patch size (grid cells) of integral refinement (``--integral_patch_size``).
DEFAULT_PATCH_SIZE = 5
#: Bottom-up: longest edge as a fraction of the image size (``--max_edge_length_ratio``).
DEFAULT_MAX_EDGE_LENGTH_RATIO = 0.25
#: Bottom-up: weight of the penalty on longer edges (``--dist_penalty_weight``).
DEFAULT_DIST_PENALTY_WEIGHT = 1.0
#: Bottom-up: points sampled along each PAF line (``--n_points``, export's ``--n-line-points``).
DEFAULT_PAF_LINE_POINTS = 10
#: Bottom-up: smallest PAF line score that connects two peaks (``--min_line_scores``).
DEFAULT_MIN_LINE_SCORES = 0.25

# ------------------------------------------------------------------------------ OKS
#: OKS keypoint standard deviation (``pose eval --oks_stddev``; tracking scores too).
DEFAULT_OKS_STDDEV = 0.025

# ------------------------------------------------------------------------------ tracking
#: Past frames whose instances are candidates (``--tracking_window_size``).
DEFAULT_TRACKING_WINDOW_SIZE = 5
#: OKS σ of the tracking scores when a Kalman filter tracks every keypoint.
KALMAN_KEYPOINTS_OKS_STDDEV = 0.1
#: Optical flow: image scale, window size (px) and pyramid levels (``--of_*``).
DEFAULT_OF_IMG_SCALE = 1.0
DEFAULT_OF_WINDOW_SIZE = 21
DEFAULT_OF_MAX_LEVELS = 3
#: Kalman: warm-up frames before the filters are fit, and missed frames before a reset.
DEFAULT_KF_INIT_FRAME_COUNT = 10
DEFAULT_KF_RESET_GAP_SIZE = 5

# ------------------------------------------------------------------------------ QC (pose's)
#: Most identity events reported per video (``pose qc --max_events``).
DEFAULT_QC_MAX_EVENTS = 500
#: Events that get a thumbnail in the report (``pose qc --thumbnails``).
DEFAULT_QC_THUMBNAILS = 40
