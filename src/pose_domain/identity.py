"""Identity (multi-class) assignment: class maps (bottom-up) and class vectors (top-down).

sleap-nn 0.3.5 semantics (parity notes §3.8, 3.9): per node, a Hungarian assignment of peaks to
classes that keeps only the peaks whose assigned class is their best class; per frame, a
Hungarian assignment of crops to classes.
"""

from __future__ import annotations

import warnings

import numpy as np

from pose_domain.matching import hungarian
from pose_domain.peaks import PeakSet


def assign_class_map_identities(
    peaks: PeakSet, class_maps: np.ndarray, n_nodes: int, class_map_stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Give each peak of ONE sample a class (= instance slot) from sigmoid class maps.

    The class vector of a peak is read at ``rint(p / stride)`` (half-to-even, clipped). For
    each node, peaks are assigned to classes by Hungarian matching on ``-prob``; an
    assignment is kept only when the assigned class is the peak's most probable one.

    Args:
        peaks: The sample's peaks in INPUT pixels; ``channels`` are node indices.
        class_maps: ``(n_classes, Hc, Wc)`` sigmoid class probabilities.
        n_nodes: Number of skeleton nodes ``N``.
        class_map_stride: Input pixels per class-map cell.

    Returns:
        ``points`` ``(n_classes, N, 2)`` float64 input pixels (NaN = no peak),
        ``point_scores`` ``(n_classes, N)`` peak values (NaN = no peak),
        ``instance_scores`` ``(n_classes,)`` = nanmean of point scores (NaN for empty slots),
        ``tracking_scores`` ``(n_classes,)`` = nanmean of the assigned class probabilities.
        Slot ``i`` is class ``i``; all-NaN slots are included (callers skip them).
    """
    maps = np.asarray(class_maps)
    n_classes, hc, wc = maps.shape
    pts = np.asarray(peaks.points, dtype=np.float64).reshape(-1, 2)
    probs = np.zeros((len(pts), n_classes), dtype=maps.dtype)
    if len(pts):
        grid = np.rint(pts.astype(np.float32) / np.float32(class_map_stride)).astype(np.int64)
        rows = np.clip(grid[:, 1], 0, hc - 1)
        cols = np.clip(grid[:, 0], 0, wc - 1)
        probs = maps[:, rows, cols].T  # (n_peaks, n_classes)
    return assign_peak_classes(pts, np.asarray(peaks.values), np.asarray(peaks.channels),
                               probs, n_nodes)


def assign_peak_classes(
    points: np.ndarray, values: np.ndarray, channels: np.ndarray, probs: np.ndarray,
    n_nodes: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Give each peak of ONE sample the class its probabilities point at (= instance slot).

    For each node, peaks are assigned to classes by Hungarian matching on ``-prob``; an
    assignment is kept only when the assigned class is the peak's most probable one.

    Args:
        points: ``(n_peaks, 2)`` peak coordinates.
        values: ``(n_peaks,)`` peak values.
        channels: ``(n_peaks,)`` node index of each peak.
        probs: ``(n_peaks, n_classes)`` class probabilities at each peak.
        n_nodes: Number of skeleton nodes ``N``.

    Returns:
        As :func:`assign_class_map_identities`.
    """
    n_classes = probs.shape[1]
    n = int(n_nodes)
    out_points = np.full((n_classes, n, 2), np.nan)
    point_scores = np.full((n_classes, n), np.nan)
    class_probs = np.full((n_classes, n), np.nan)
    pts = np.asarray(points, dtype=np.float64)
    chans = np.asarray(channels, dtype=np.int64)
    for node in range(n):
        idx = np.flatnonzero(chans == node)
        if len(idx) == 0:
            continue
        p = probs[idx]
        r, c = hungarian(-p.astype(np.float64))
        best = p[r, c] == p[r].max(axis=1)
        for peak, cls in zip(idx[r[best]], c[best]):
            out_points[cls, node] = pts[peak]
            point_scores[cls, node] = values[peak]
            class_probs[cls, node] = probs[peak, cls]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of empty slices → NaN
        instance_scores = np.nanmean(point_scores, axis=1)
        tracking_scores = np.nanmean(class_probs, axis=1)
    return out_points, point_scores, instance_scores, tracking_scores


def assign_class_vector_identities(class_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assign the crops of ONE frame to classes by Hungarian matching on ``-probs``.

    Args:
        class_probs: ``(n_crops, n_classes)`` softmax probabilities.

    Returns:
        ``class_inds`` ``(n_crops,)`` int64 class per crop (-1 when there are more crops than
        classes and the crop got none) and ``probs`` ``(n_crops,)`` float64 probability of
        the assigned class (NaN for -1).
    """
    probs = np.asarray(class_probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"class_probs must be (n_crops, n_classes), got {probs.shape}")
    n_crops = probs.shape[0]
    class_inds = np.full(n_crops, -1, dtype=np.int64)
    out = np.full(n_crops, np.nan)
    if probs.size:
        rows, cols = hungarian(-probs)
        class_inds[rows] = cols
        out[rows] = probs[rows, cols]
    return class_inds, out
