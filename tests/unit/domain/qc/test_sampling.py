"""Detector time scales in the file's own sampling, and error runs (ADR-0192)."""

from __future__ import annotations

import numpy as np

from pose_domain.instance import LabeledFrame, PredictedInstance, Track
from pose_domain.qc import QcConfig, QcEvent, detect_identity_events
from pose_domain.qc.recall import error_runs, precision_recall_runs
from pose_domain.qc.sampling import sampling_step, scaled_config

A, B = Track("a"), Track("b")


def _pose(cx: float, cy: float) -> np.ndarray:
    return np.array([[cx + 10.0, cy], [cx - 10.0, cy]])


def _every(stride: int, n: int = 300, lost: range = range(0)) -> list[LabeledFrame]:
    """Two animals passing each other, tracked every ``stride``-th frame; ``b`` is not seen
    in the frames of ``lost``."""
    rng = np.random.default_rng(0)
    frames = []
    for t in range(0, n, stride):
        pa = _pose(100 + t, 100) + rng.normal(0, 0.3, (2, 2))
        pb = _pose(400 - t, 130) + rng.normal(0, 0.3, (2, 2))
        insts = [PredictedInstance.from_arrays(pa, np.ones(2), 0.9, track=A)]
        if t not in lost:
            insts.append(PredictedInstance.from_arrays(pb, np.ones(2), 0.9, track=B))
        frames.append(LabeledFrame(0, t, insts))
    return frames


def test_sampling_step_and_scaled_config() -> None:
    assert sampling_step([0, 3, 6, 9, 15, 18]) == 3
    assert sampling_step([5]) == 1
    cfg = scaled_config(QcConfig(), 3)
    assert (cfg.window, cfg.break_window, cfg.nms_radius) == (90, 450, 3)
    assert scaled_config(QcConfig(), 1) == QcConfig()


def test_a_loss_in_a_file_tracked_every_3rd_frame_is_one_count_event() -> None:
    rep = detect_identity_events(_every(3, lost=range(30, 60)))
    counts = [e for e in rep.events if e.kind == "count"]
    assert [(e.frame_idx, e.why) for e in counts] == [
        (30, "1 instance(s) instead of 2 for 28 frame(s)")]


def test_error_runs_chain_switches_of_one_true_track() -> None:
    sw = [(10, "m"), (10, "f"), (20, "m"), (45, "m"), (100, "m"), (102, "f")]
    assert error_runs(sw) == [(10, 45), (100, 102)]
    assert error_runs(sw, gap=15) == [(10, 20), (45, 45), (100, 102)]


def test_precision_and_recall_at_k_runs() -> None:
    def ev(f: int, kind: str = "swap") -> QcEvent:
        return QcEvent(frame_idx=f, video_index=0, kind=kind, tracks=("a", "b"), score=0.5,
                       why="", likely=True)

    runs = [(10, 45), (100, 102)]
    at = precision_recall_runs(runs, [ev(30), ev(12), ev(104), ev(70)], 2)
    assert (at.precision, at.recall) == (1.0, 0.5)
    at = precision_recall_runs(runs, [ev(30), ev(104, "count"), ev(104)], 3)
    assert (at.precision, at.recall) == (2 / 3, 1.0)
