"""The drop-in conformance cases: sleap-nn 0.3.5 command lines that ``pose`` runs unchanged.

Paths are relative to a run folder holding ``data/`` and ``models/``; ``outputs`` are the files
compared (``.slp`` by compare_slp, ``.npz`` by the metrics comparison, ``.h5`` by datasets).
"""

from __future__ import annotations

from typing import Any

VID = "data/centered_pair_small.mp4"
UNTRACKED = "data/centered_pair_predictions.untracked.slp"

CASES: dict[str, dict[str, Any]] = {
    "predict_topdown": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "-m",
                 "models/sleapnn/centered_instance", "--frames", "0-9", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_bottomup_tracked": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/bottomup", "--frames", "0-19",
                 "-t", "--max_instances", "2", "-o", "out.slp"],
        "outputs": ["out.slp"], "tracks": True,
    },
    "predict_pcsb": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/bottomup", "--frames", "0-19",
                 "-t", "--post_connect_single_breaks", "--max_instances", "2",
                 "-o", "out.slp"],
        "outputs": ["out.slp"], "tracks": True,
    },
    "predict_centroid_only": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "--frames", "0-9",
                 "--filter_min_centroid_distance", "30", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_centroid_output_both": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "--centroid-output",
                 "both", "--frames", "0-4", "-o", "out.slp"],
        "outputs": ["out.slp"],
        "centroids": True,
    },
    "predict_centroid_output_centroid": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "--centroid-output",
                 "centroid", "--frames", "0-4", "-o", "out.slp"],
        "outputs": ["out.slp"],
        "centroids": True,
    },
    "predict_centroid_only_flag": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "-m",
                 "models/sleapnn/centered_instance", "--centroid_only", "--frames", "0-4",
                 "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_centroid_tracked": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "--frames", "0-19",
                 "-t", "--max_instances", "2", "-o", "out.slp"],
        "outputs": ["out.slp"], "tracks": True,
        "note": "1-node skeleton: predict's auto features/scoring (centroids, euclidean_dist)",
    },
    "predict_peak_alias": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/single_instance", "--frames",
                 "0-9", "--peak-conf-threshold", "0.5", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_embed": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/single_instance", "--frames",
                 "0-2", "--embed", "true", "-o", "out.slp"],
        "outputs": ["out.slp"], "embedded": True,
    },
    "predict_two_formats": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/bottomup", "--frames", "0-4",
                 "--output_format", "slp", "--output_format", "analysis_h5", "-o", "out.slp"],
        "outputs": ["out.slp", "out.analysis.h5"],
    },
    "predict_export_bottomup": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn_export/bottomup", "--frames",
                 "0-9", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_topdown_centroid_nms": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "-m",
                 "models/sleapnn/centered_instance", "--frames", "0-19",
                 "--filter_min_centroid_distance", "130", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_topdown_centroid_threshold": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn/centroid", "-m",
                 "models/sleapnn/centered_instance", "--frames", "0-19",
                 "--centroid_peak_threshold", "0.8", "--peak_threshold", "0.3", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_export_multiclass_bottomup": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn_export/multiclass_bottomup",
                 "--frames", "0-9", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "predict_export_topdown": {
        "args": ["predict", "-i", VID, "-m", "models/sleapnn_export/topdown", "--frames",
                 "0-9", "-o", "out.slp"],
        "outputs": ["out.slp"],
    },
    "track_kalman": {
        "args": ["track", "-i", UNTRACKED, "--frames", "0-199", "-t", "--use_kalman",
                 "--max_instances", "2", "-o", "out.slp"],
        "outputs": ["out.slp"], "tracks": True,
    },
    "track_kalman_keypoints": {
        "args": ["track", "-i", UNTRACKED, "--frames", "0-199", "-t", "--use_kalman",
                 "--max_instances", "2", "--kf_track_features", "keypoints",
                 "--kf_init_frame_count", "5", "--kf_node_indices", "0,1,2", "-o", "out.slp"],
        "outputs": ["out.slp"], "tracks": True,
    },
    "track_pre_cull": {
        "args": ["track", "-i", UNTRACKED, "--frames", "0-99", "-t",
                 "--tracking_pre_cull_to_target", "1", "--tracking_pre_cull_iou_threshold",
                 "0.3", "--max_instances", "1", "-o", "out.slp"],
        "outputs": ["out.slp"], "tracks": True,
    },
    "track_gui": {
        "args": ["track", "-i", VID, "-m", "models/sleapnn/bottomup", "--frames", "0-4",
                 "--gui", "-o", "out.slp"],
        "outputs": ["out.slp"], "stdout": True,
    },
    "eval_centroid": {
        "args": ["eval", "-g", "data/clip.2node.slp", "-p", "data/clip.predictions.slp",
                 "--match_method", "centroid", "--anchor_part", "thorax", "-s", "metrics.npz"],
        "outputs": ["metrics.npz"],
    },
}
