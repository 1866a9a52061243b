"""Agreement of fast-mode poses with exact poses, and the contract (ADR-0181)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_domain.agreement import Contract, SampleFrame, agreement

NAN = np.nan


def _f(*instances, tracks=None, window=0) -> SampleFrame:
    pts = np.array(instances, np.float64).reshape(len(instances), -1, 2) if instances else \
        np.zeros((0, 2, 2))
    return SampleFrame(points=pts, tracks=tracks, window=window)


def test_identical_poses_agree_fully():
    a = [_f([[0, 0], [1, 1]], [[5, 5], [6, 6]]), _f()]
    got = agreement(a, a)
    assert got.counts_equal == 1.0 and got.p99 == 0.0 and got.missed == 0.0
    assert got.points == 4 and got.identity is None
    assert Contract().met_by(got)


def test_instances_pair_regardless_of_order_and_distances_are_measured():
    exact = [_f([[0, 0], [1, 1]], [[50, 50], [51, 51]])]
    fast = [_f([[50, 53], [51, 51]], [[0, 0], [1, 1]])]
    got = agreement(exact, fast)
    assert got.counts_equal == 1.0
    assert got.points == 4
    assert got.p99 == pytest.approx(3.0 - 0.02 * 3, abs=0.1)


def test_extra_instance_and_lost_node_count_as_missed():
    exact = [_f([[0, 0], [1, 1]])]
    fast = [_f([[0, 0], [NAN, NAN]], [[20, 20], [21, 21]])]
    got = agreement(exact, fast)
    assert got.counts_equal == 0.0
    assert got.points == 1
    assert got.missed == pytest.approx(3 / 4)
    short = Contract().shortfalls(got)
    assert any("instance counts" in s for s in short) and any("nodes" in s for s in short)


def test_identity_switch_inside_a_window_lowers_identity_agreement():
    a, b = [[0, 0], [1, 1]], [[50, 50], [51, 51]]
    exact = [_f(a, b, tracks=("x", "y")) for _ in range(4)]
    fast = [_f(a, b, tracks=(1, 2)), _f(a, b, tracks=(1, 2)),
            _f(a, b, tracks=(2, 1)), _f(a, b, tracks=(2, 1))]
    got = agreement(exact, fast)
    assert got.identity == pytest.approx(0.5)
    # other labels in another window are another pairing, not a switch
    fast2 = [_f(a, b, tracks=(1, 2), window=0), _f(a, b, tracks=(1, 2), window=0),
             _f(a, b, tracks=(7, 8), window=1), _f(a, b, tracks=(7, 8), window=1)]
    exact2 = [_f(a, b, tracks=("x", "y"), window=w) for w in (0, 0, 1, 1)]
    assert agreement(exact2, fast2).identity == 1.0


def test_frames_must_match():
    with pytest.raises(ValueError):
        agreement([_f()], [])
