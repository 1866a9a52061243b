"""Run the CLI in-process and compare what it wrote with what the Python API returned."""

from __future__ import annotations

import numpy as np
import sleap_io as sio

from pose_cli.main import main

ATOL = 0.05  # the acceptance tolerance of the issue (px)


def cli_labels(tmp_path, *args: str, name: str = "cli.slp") -> sio.Labels:
    """``pose <args> -o tmp/name --progress none``, loaded."""
    out = tmp_path / name
    assert main([*args, "-o", str(out), "--progress", "none"]) == 0
    return sio.load_slp(str(out))


def predicted(labels: sio.Labels) -> dict[tuple[int, int], list[np.ndarray]]:
    """Predicted instances' points by ``(video index, frame index)``, sorted by position."""
    out = {}
    for lf in labels.labeled_frames:
        vi = labels.videos.index(lf.video)
        pts = [i.numpy() for i in lf.instances if isinstance(i, sio.PredictedInstance)]
        out[(vi, lf.frame_idx)] = sorted(pts, key=lambda p: tuple(np.nan_to_num(p[0], nan=1e9)))
    return {k: v for k, v in out.items() if v}


def assert_same_points(a: sio.Labels, b: sio.Labels) -> None:
    """Equal instance counts per frame, points within :data:`ATOL` (NaN where NaN)."""
    pa, pb = predicted(a), predicted(b)
    assert pa.keys() == pb.keys()
    for key in pa:
        assert len(pa[key]) == len(pb[key]), key
        for x, y in zip(pa[key], pb[key]):
            np.testing.assert_allclose(x, y, atol=ATOL, equal_nan=True)


def batch_points(batches: list[dict[str, np.ndarray]]) -> dict[int, list[np.ndarray]]:
    """The non-empty instance slots of per-batch arrays, by frame index, sorted as above."""
    out: dict[int, list[np.ndarray]] = {}
    for b in batches:
        for i, f in enumerate(b["frame_ind"]):
            pts = [p for p in b["instance_peaks"][i] if not np.isnan(p).all()]
            if pts:
                out[int(f)] = sorted(pts, key=lambda p: tuple(np.nan_to_num(p[0], nan=1e9)))
    return out


def assert_batches_match_labels(batches: list[dict[str, np.ndarray]],
                                labels: sio.Labels) -> None:
    got, want = batch_points(batches), {k[1]: v for k, v in predicted(labels).items()}
    assert got.keys() == want.keys()
    for key in got:
        assert len(got[key]) == len(want[key])
        for x, y in zip(got[key], want[key]):
            np.testing.assert_allclose(x, y, atol=ATOL, equal_nan=True)
