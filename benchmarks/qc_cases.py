"""Tracked files with known identity errors, for ``bench_qc.py`` (issue 27).

Two sources of errors, both scored against the proofread truth by ``pose eval``'s switch rule
(:func:`pose_domain.metrics.identity.identity_switches`):

* **tracker runs** on the public clip (``clip.predictions.untracked.slp`` against
  ``clip.2node.slp``): the online tracker with its defaults and with other options. They are
  deterministic; some are kept out of tuning (``held-out``).
* **injected errors** (seeded): the proofread ``clip.slp`` / ``clip.2node.slp`` with jitter,
  dropped nodes and short losses, where the two identities are exchanged at 3-8 frames where
  the flies are close (chosen at random among the local minima of their distance) and 0-3
  tracks break (an animal continues under a new track, after a gap of 0-3 frames); the
  online-tracked public clip with 3-8 more swaps at random frames; and the robustness
  corruptions of ``bench_identity_robustness.py`` tracked by the online tracker.
  Seeds below 100 tune, seeds from 100 on are held out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "labels"

#: ``(name, group, gt_frames, pred_frames)``
Case = tuple[str, str, list, list]  # type: ignore[type-arg]


def online(frames, **overrides):  # type: ignore[no-untyped-def]
    """Frames tracked by the online tracker (``pose track -t`` with ``overrides``)."""
    from pose_app.options import TrackingOptions
    from pose_app.track import build_tracker
    from pose_domain.instance import LabeledFrame

    kalman = None
    if overrides.get("use_kalman"):
        from pose_adapters.kalman import PykalmanBackend

        kalman = PykalmanBackend()
    tr = build_tracker(TrackingOptions.from_flags(**overrides),
                       max_instances=overrides.get("max_tracks"),
                       kalman_backend=kalman)
    out = [LabeledFrame(f.video_index, f.frame_idx, list(tr.track(f.instances, f.frame_idx)))
           for f in sorted(frames, key=lambda f: f.frame_idx)]
    return tr.finalize(out)


def untrack(frames, stride: int = 1):  # type: ignore[no-untyped-def]
    """The predicted instances without tracks, every ``stride``-th frame."""
    from pose_domain.instance import LabeledFrame, PredictedInstance

    out = []
    for f in frames:
        if f.frame_idx % stride:
            continue
        insts = [PredictedInstance.from_arrays(i.points, i.point_scores, i.score)
                 for i in f.predicted_instances]
        out.append(LabeledFrame(f.video_index, f.frame_idx, insts))
    return out


#: tracker runs: name -> (group, stride, options)
TRACKER_RUNS: dict[str, tuple[str, int, dict[str, object]]] = {
    "online": ("tune", 1, {}),
    "local_queues max_tracks 2": ("tune", 1, {"max_tracks": 2,
                                              "candidates_method": "local_queues"}),
    "every 3rd frame": ("tune", 3, {}),
    "kalman": ("held-out", 1, {"use_kalman": True, "tracking_target_instance_count": 2}),
    "every 3rd frame, kalman": ("held-out", 3, {"use_kalman": True,
                                                "tracking_target_instance_count": 2}),
    "window 10, greedy": ("held-out", 1, {"tracking_window_size": 10,
                                          "track_matching_method": "greedy"}),
    "every 2nd frame, max_tracks 2": ("held-out", 2, {"max_tracks": 2}),
}


def _closest_frames(frames, a: str, b: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    d = np.full(len(frames), np.inf)
    for k, f in enumerate(frames):
        by = {i.track.name: i.points for i in f.user_instances if i.track}
        if a in by and b in by:
            dd = np.linalg.norm(by[a] - by[b], axis=-1)
            if np.isfinite(dd).any():
                d[k] = float(np.nanmin(dd))
    return d


def inject(gt_frames, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """Predictions = the noisy truth with swaps and breaks injected (module docstring)."""
    from pose_domain.instance import LabeledFrame, PredictedInstance, Track

    frames = sorted(gt_frames, key=lambda f: f.frame_idx)
    names = sorted({i.track.name for f in frames for i in f.user_instances if i.track})
    a, b = names[:2]
    d = _closest_frames(frames, a, b)
    n = len(frames)
    # local minima of the distance (±10 frames) among the closest third
    cut = np.quantile(d[np.isfinite(d)], 0.33)
    minima = [k for k in range(20, n - 20)
              if np.isfinite(d[k]) and d[k] <= cut and d[k] == d[k - 10:k + 11].min()]
    n_swaps = int(rng.integers(3, 9))
    swaps: list[int] = []
    for k in rng.permutation(minima):
        if len(swaps) == n_swaps:
            break
        if all(abs(int(k) - c) >= 25 for c in swaps):
            swaps.append(int(k))
    breaks: list[int] = []
    n_breaks = int(rng.integers(0, 4))
    for k in rng.permutation(np.arange(30, n - 30)):
        if len(breaks) == n_breaks:
            break
        if all(abs(int(k) - c) >= 25 for c in swaps + breaks):
            breaks.append(int(k))
    who = {int(k): str(rng.choice([a, b])) for k in breaks}
    gaps = {int(k): int(rng.integers(0, 4)) for k in breaks}
    jitter = float(rng.uniform(0.3, 2.0))
    lost = np.zeros((n, len(names)), bool)
    for _ in range(int(rng.integers(0, 6))):  # short losses of one animal
        s = int(rng.integers(0, n))
        lost[s:s + int(rng.integers(1, 6)), int(rng.integers(0, len(names)))] = True
    label = {nm: nm for nm in names}
    tracks: dict[str, Track] = {}
    out = []
    fresh = 0
    for k, f in enumerate(frames):
        if k in swaps:
            label[a], label[b] = label[b], label[a]
        if k in breaks:
            fresh += 1
            label[who[k]] = f"new_{fresh}"
        insts = []
        for i in f.user_instances:
            if i.track is None:
                continue
            g = i.track.name
            j = names.index(g)
            if lost[k, j] or any(0 <= k - c < gaps[c] and who[c] == g for c in breaks):
                continue
            p = i.points + rng.normal(0, jitter, i.points.shape)
            p[rng.random(len(p)) < 0.03] = np.nan
            if np.isnan(p).all():
                continue
            nm = label[g]
            insts.append(PredictedInstance.from_arrays(
                p, rng.uniform(0.5, 1.0, len(p)), float(rng.uniform(0.6, 1.0)),
                track=tracks.setdefault(nm, Track(nm))))
        out.append(LabeledFrame(f.video_index, f.frame_idx, insts))
    return out


def inject_into(pred_frames, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """A tracked file with 3-8 more swaps of its two longest tracks at random frames (25+
    frames apart), from each of which on the two tracks trade their instances."""
    from pose_domain.instance import LabeledFrame

    frames = sorted(pred_frames, key=lambda f: f.frame_idx)
    length: dict[int, int] = {}
    objs = {}
    for f in frames:
        for i in f.instances:
            if i.track is not None:
                length[id(i.track)] = length.get(id(i.track), 0) + 1
                objs[id(i.track)] = i.track
    ka, kb = sorted(length, key=lambda k: -length[k])[:2]
    ta, tb = objs[ka], objs[kb]
    n = len(frames)
    swaps: list[int] = []
    want = int(rng.integers(3, 9))
    for k in rng.permutation(np.arange(10, n - 10)):
        if len(swaps) == want:
            break
        if all(abs(int(k) - c) >= 25 for c in swaps):
            swaps.append(int(k))
    flips = np.zeros(n, int)
    for c in swaps:
        flips[c:] += 1
    out = []
    for k, f in enumerate(frames):
        insts = []
        for i in f.instances:
            j = i
            if flips[k] % 2 and i.track is not None and id(i.track) in (ka, kb):
                j = _with_track(i, tb if id(i.track) == ka else ta)
            insts.append(j)
        out.append(LabeledFrame(f.video_index, f.frame_idx, insts))
    return out


def _with_track(inst, track):  # type: ignore[no-untyped-def]
    from pose_domain.instance import PredictedInstance

    return PredictedInstance.from_arrays(inst.points, inst.point_scores, inst.score, track=track)


def cases(seeds: list[int], kinds: list[str], skip_trackers: bool = False) -> Iterator[Case]:
    """Every benchmark case, tracker runs first."""
    from bench_identity_robustness import _frames, _truth, corrupt

    from pose_adapters.slp import SlpLabelsStore

    store = SlpLabelsStore()
    gt2 = store.load(str(LABELS / "clip.2node.slp")).frames
    gt13 = store.load(str(LABELS / "clip.slp")).frames
    raw = store.load(str(LABELS / "clip.predictions.untracked.slp")).frames
    if not skip_trackers:
        for name, (group, stride, opts) in TRACKER_RUNS.items():
            pred = online(untrack(raw, stride), **opts)
            yield name, group, gt2, pred
            if name == "online":
                for seed in seeds:
                    yield (f"online + injected seed {seed}", "tune" if seed < 100 else "held-out",
                           gt2, inject_into(pred, np.random.default_rng(seed)))
    for path, gt in (("clip.slp", gt13), ("clip.2node.slp", gt2)):
        for seed in seeds:
            group = "tune" if seed < 100 else "held-out"
            yield (f"{path} injected seed {seed}", group, gt,
                   inject(gt, np.random.default_rng(seed)))
        pts, names, fidx = _truth(str(LABELS / path))
        for kind in kinds:
            for seed in seeds:
                group = "tune" if seed < 100 else "held-out"
                bad = corrupt(pts, names, np.random.default_rng(seed), kind, (0, 1))
                yield (f"{path} {kind} seed {seed}", group, gt, online(_frames(bad, fidx)))

