"""Step 3 and 4 of ``scripts/device_check.sh``: device vs CPU parity, throughput, latency.

Prints one line per model type and a final JSON line; exits 1 when parity fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "tests" / "data" / "models" / "sleapnn"
VIDEO = ROOT / "tests" / "data" / "videos" / "clip.mp4"
CASES = {
    "top_down_1024": [MODELS / "centroid", MODELS / "centered_instance"],
    "bottom_up_1024": [MODELS / "bottomup"],
}
TOL_PX, TOL_SCORE = 0.05, 0.01


def _frames(n: int) -> np.ndarray:
    import sleap_io as sio

    video = sio.load_video(str(VIDEO))
    try:
        return np.stack([np.asarray(video[i]) for i in range(n)])
    finally:
        video.close()


def _arrays(predictor, frames: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    points: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for batch in predictor.predict(frames, make_labels=False):  # one dict per batch
        vals = batch.get("instance_scores")
        for i, n in enumerate(batch["n_valid"]):
            points.append(batch["instance_peaks"][i, :n])
            scores.append(vals[i, :n] if vals is not None
                          else np.nansum(batch["instance_peak_vals"][i, :n], axis=-1))
    return points, scores


def _parity(a, b) -> tuple[float, float, bool]:
    px, sc, same_counts = 0.0, 0.0, True
    for (pa, sa), (pb, sb) in zip(zip(*a), zip(*b)):
        if pa.shape != pb.shape:
            same_counts = False
            continue
        if pa.size:
            ok = np.isfinite(pa) & np.isfinite(pb)
            px = max(px, float(np.abs(pa[ok] - pb[ok]).max(initial=0.0)))
            sc = max(sc, float(np.abs(sa - sb).max(initial=0.0)))
    return px, sc, same_counts


def main() -> int:
    import pose

    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--frames", type=int, default=6)
    a = ap.parse_args()
    frames = _frames(a.frames)
    rows, failed = [], False
    for name, models in CASES.items():
        paths = [str(m) for m in models]
        dev = pose.load_model(paths, device=a.device, batch_size=8, progress_reporting="none")
        cpu = pose.load_model(paths, device="cpu", batch_size=8, progress_reporting="none")
        px, sc, counts = _parity(_arrays(dev, frames), _arrays(cpu, frames))
        ok = counts and px <= TOL_PX and sc <= TOL_SCORE
        failed |= not ok
        t = time.perf_counter()
        dev.predict(frames, make_labels=False)
        fps = len(frames) / (time.perf_counter() - t)
        lat = []
        for i, f in enumerate(frames):
            t = time.perf_counter()
            dev.predict_frame(f)
            if i >= min(3, len(frames) - 1):
                lat.append(time.perf_counter() - t)
        p50, p99 = (float(np.percentile(np.asarray(lat) * 1000, q)) for q in (50, 99))
        row = {"case": name, "device": a.device, "frames": len(frames), "parity_ok": ok,
               "max_px": px, "max_score": sc, "fps": fps, "p50_ms": p50, "p99_ms": p99}
        rows.append(row)
        print(f"{name}: parity {'ok' if ok else 'FAILED'} (max {px:.4f} px, {sc:.4f} score) | "
              f"{fps:.1f} FPS (batch 8) | predict_frame p50 {p50:.1f} ms p99 {p99:.1f} ms",
              flush=True)
    print(json.dumps({"rows": rows}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
