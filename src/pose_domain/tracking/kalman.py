"""Kalman-shift tracking (sleap-nn 0.3.5's ``--use_kalman``): the online tracker whose
candidates are moved by a per-track constant-velocity Kalman filter (ADR-0125).

Phases: for the first ``init_frame_count`` candidate updates the tracker behaves like the plain
online tracker while it records, per track, the newest observed pose. Then one filter per
track is fit by EM on a contiguous window of its history (state ``[x, vx, y, vy]`` per tracked
point: the track's centroid, or each selected node). From then on, before each frame is
scored: stale tracks (no accepted observation for more than ``reset_gap_size`` frames) lose
their filter; each filter is corrected with the track's new observations (coasting over gaps,
rejecting observations beyond a distance gate); tracks without a filter get one once they have
enough contiguous history; and each track's candidate is its last pose moved by
``prediction_blend`` x the predicted displacement. Tracks without a filter keep the plain
candidates.

The filter arithmetic (EM fit, predict/correct steps) is behind :class:`KalmanBackend` so the
domain stays numpy-only; ``pose_adapters.kalman`` implements it with pykalman, which is what
makes the numbers equal to the reference's.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Protocol

import attrs
import numpy as np

from pose_domain.defaults import DEFAULT_KF_INIT_FRAME_COUNT, DEFAULT_KF_RESET_GAP_SIZE
from pose_domain.errors import InvalidOptionError
from pose_domain.instance import Instance
from pose_domain.tracking.features import compute_features
from pose_domain.tracking.online import OnlineConfig, OnlineTracker, _Entry


class KalmanBackend(Protocol):
    """Linear-Gaussian filter arithmetic (an adapter implements it)."""

    def fit(
        self,
        transition: np.ndarray,
        observation: np.ndarray,
        initial_state_mean: np.ndarray,
        observations: np.ndarray,
    ) -> tuple[Any, np.ndarray, np.ndarray]:
        """EM-fit the noise covariances (20 iterations), then filter ``observations``.

        Args:
            transition: ``(S, S)`` state transition. observation: ``(D, S)`` observation.
            initial_state_mean: ``(S,)`` (kept fixed by the fit).
            observations: ``(T, D)`` float, NaN = missing.

        Returns:
            ``(model, means (T, S), covariances (T, S, S))``.
        """
        ...

    def step(
        self, model: Any, mean: np.ndarray, covariance: np.ndarray,
        observation: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One predict (+ correct unless ``observation`` is None) step: ``(S,), (S, S)``.

        ``observation`` ``(D,)`` may hold NaN for missing coordinates.
        """
        ...


@attrs.frozen(kw_only=True)
class KalmanConfig:
    """Motion-model settings (the reference's ``kf_*`` names without the prefix)."""

    track_features: str = "centroid"
    init_frame_count: int = DEFAULT_KF_INIT_FRAME_COUNT
    node_indices: tuple[int, ...] | None = None
    reset_gap_size: int = DEFAULT_KF_RESET_GAP_SIZE
    prediction_blend: float = 0.5
    gate_step_mult: float = 8.0
    min_gate_px: float = 40.0
    velocity_cap_mult: float = 3.0
    min_velocity_cap_px: float = 15.0

    def __attrs_post_init__(self) -> None:
        if self.track_features not in ("centroid", "keypoints"):
            raise InvalidOptionError(
                f"--kf_track_features {self.track_features} is unknown",
                hint="use centroid or keypoints",
            )


@attrs.define
class _Obs:
    frame_idx: int
    keypoints: np.ndarray  # (n_nodes, 2)


def _nanmean(a: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmean(a, axis=0))


class KalmanTracker(OnlineTracker):
    """The online tracker with Kalman-predicted candidates (reference ``KalmanShiftTracker``)."""

    def __init__(
        self, config: OnlineConfig, kalman: KalmanConfig, backend: KalmanBackend
    ) -> None:
        super().__init__(config)
        self.kalman = kalman
        self.backend = backend
        self._filters: dict[int, Any] = {}
        self._last: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._last_seen: dict[int, int] = {}
        self._last_corrected: dict[int, int] = {}
        self._history: dict[int, list[_Obs]] = {}
        self._median_step: dict[int, float] = {}
        self._reset_at: dict[int, int] = {}
        self._nodes: list[int] | None = None
        self._n_nodes: int | None = None
        self._seen = 0
        self._ready = False
        self._frame = 0

    # ------------------------------------------------------------------ hooks
    def track(
        self, instances: Sequence[Instance], frame_idx: int, image: Any = None
    ) -> list[Instance]:
        """Track one frame, then record each track's newest pose."""
        self._frame = int(frame_idx)
        if self.config.candidates_method == "local_queues" and not instances and self._queues:
            self._advance()  # the reference updates candidates on empty frames too
        out = super().track(instances, frame_idx, image)
        self._ingest()
        return out

    def _candidate_arrays(
        self, entries: list[_Entry], image: Any
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        if not self._advance():
            return super()._candidate_arrays(entries, image)
        feats: list[np.ndarray] = []
        n_vis: list[np.ndarray] = []
        ids: list[int] = []
        for tid in self._current_tracks():
            pred = self._predict(tid)
            if pred is None:
                base = [e for e in entries if tid in e.ids]
                for e in base:
                    k = e.ids.index(tid)
                    feats.append(e.feats[k : k + 1])
                    n_vis.append(e.n_vis[k : k + 1])
                    ids.append(tid)
                continue
            points, vis = pred
            feats.append(compute_features(points[None], self.config.features))
            n_vis.append(np.array([vis], dtype=np.int64))
            ids.append(tid)
        if not feats:
            return np.zeros((0,)), np.zeros(0, dtype=np.int64), []
        return np.concatenate(feats), np.concatenate(n_vis), ids

    # ------------------------------------------------------------------ state
    def _current_tracks(self) -> list[int]:
        if self.config.candidates_method == "local_queues":
            return list(range(len(self._queues)))
        return self._window_tracks(list(self._window))

    def _newest(self, tid: int) -> np.ndarray | None:
        if self.config.candidates_method == "local_queues":
            q = self._queues[tid]
            return q[-1].points[0] if q else None
        for e in reversed(self._window):
            if tid in e.ids:
                return np.asarray(e.points[e.ids.index(tid)])
        return None

    def _newest_frame(self, tid: int) -> int:
        if self.config.candidates_method == "local_queues":
            return int(self._queues[tid][-1].frame_idx)
        for e in reversed(self._window):
            if tid in e.ids:
                return int(e.frame_idx)
        return self._frame

    def _ingest(self) -> None:
        for tid in self._current_tracks():
            pts = self._newest(tid)
            if pts is None:
                continue
            frame = self._newest_frame(tid)
            hist = self._history.setdefault(tid, [])
            if hist and hist[-1].frame_idx >= frame:
                continue
            hist.append(_Obs(frame, np.array(pts, dtype=np.float64)))
            if self._n_nodes is None:
                self._n_nodes = pts.shape[0]

    def _advance(self) -> bool:
        """The per-frame motion-model update; False while warming up."""
        if not self._ready:
            self._seen += 1
            if self._seen >= self.kalman.init_frame_count:
                self._init_filters()
            if not self._ready:
                return False
        self._reset_stale()
        self._correct()
        self._init_missing()
        return True

    # ------------------------------------------------------------------ geometry
    def _n_points(self) -> int:
        if self.kalman.track_features == "keypoints":
            return max(1, len(self._nodes or []))
        return 1

    def _centroid(self, keypoints: np.ndarray) -> np.ndarray:
        """NaN unless at least half of the tracked nodes are visible."""
        pts = np.asarray(keypoints)[self._nodes or [], :]
        visible = int((~np.isnan(pts).any(axis=1)).sum())
        if visible == 0 or visible * 2 < pts.shape[0]:
            return np.array([np.nan, np.nan])
        return _nanmean(pts)

    def _tracked(self, keypoints: np.ndarray) -> np.ndarray:
        if self.kalman.track_features == "keypoints":
            return np.asarray(keypoints, dtype=np.float64)[self._nodes or [], :]
        return self._centroid(keypoints).reshape(1, 2)

    def _matrices(self) -> tuple[np.ndarray, np.ndarray]:
        p = self._n_points()
        trans = np.zeros((4 * p, 4 * p))
        obs = np.zeros((2 * p, 4 * p))
        for k in range(p):
            b = 4 * k
            trans[b, b] = trans[b, b + 1] = trans[b + 1, b + 1] = 1.0
            trans[b + 2, b + 2] = trans[b + 2, b + 3] = trans[b + 3, b + 3] = 1.0
            obs[2 * k, b] = 1.0
            obs[2 * k + 1, b + 2] = 1.0
        return trans, obs

    @staticmethod
    def _points_of(mean: np.ndarray) -> np.ndarray:
        return np.asarray(mean)[::2].reshape(-1, 2)

    @staticmethod
    def _cap(mean: np.ndarray, cap: float) -> np.ndarray:
        out = np.asarray(mean, dtype=np.float64).copy()
        out[1::2] = np.clip(out[1::2], -cap, cap)
        return out

    def _window_step(self, window: list[_Obs]) -> float:
        """Endpoint displacement / elapsed frames between the first and last valid centroid."""
        valid = [(h.frame_idx, c) for h in window
                 if not np.isnan(c := self._centroid(h.keypoints)).any()]
        if len(valid) < 2:
            return 0.0
        span = valid[-1][0] - valid[0][0]
        if span <= 0:
            return 0.0
        return float(np.linalg.norm(valid[-1][1] - valid[0][1])) / span

    def _vcap(self, tid: int) -> float:
        k = self.kalman
        return max(k.min_velocity_cap_px, k.velocity_cap_mult * self._median_step.get(tid, 0.0))

    def _gate(self, tid: int) -> float:
        k = self.kalman
        return max(k.min_gate_px, k.gate_step_mult * self._median_step.get(tid, 0.0))

    def _fresh_window(self, tid: int) -> list[_Obs]:
        """The longest contiguous (gap-free) suffix of the history after the last reset."""
        reset = self._reset_at.get(tid, -1)
        fresh = [h for h in self._history.get(tid, []) if h.frame_idx > reset]
        if not fresh:
            return []
        window = [fresh[-1]]
        for h in reversed(fresh[:-1]):
            if window[0].frame_idx - h.frame_idx != 1:
                break
            window.insert(0, h)
        return window

    # ------------------------------------------------------------------ filters
    def _fit(self, tid: int) -> bool:
        window = self._fresh_window(tid)
        if len(window) < 3:
            return False
        window = window[-self.kalman.init_frame_count :]
        p = self._n_points()
        rows = np.asarray([self._tracked(h.keypoints).flatten() for h in window], dtype=float)
        step = self._window_step(window)
        cap = max(self.kalman.min_velocity_cap_px, self.kalman.velocity_cap_mult * step)
        if int(np.sum(~np.isnan(rows).all(axis=1))) < 2:
            return False
        first = np.full(2 * p, np.nan)
        seed_v = np.zeros(2 * p)
        for c in range(2 * p):
            finite = np.where(~np.isnan(rows[:, c]))[0]
            if len(finite) == 0:
                continue
            first[c] = rows[finite[0], c]
            for t in finite:
                if t + 1 < len(rows) and not np.isnan(rows[t + 1, c]):
                    seed_v[c] = np.clip(rows[t + 1, c] - rows[t, c], -cap, cap)
                    break
        if np.isnan(first).all():
            return False
        for axis in (0, 1):
            vals = first[axis::2]
            if np.isnan(vals).any():
                fill = float(np.nanmean(vals)) if not np.isnan(vals).all() else 0.0
                first[axis::2] = np.where(np.isnan(vals), fill, vals)
        init = np.zeros(4 * p)
        init[0::4], init[1::4] = first[0::2], seed_v[0::2]
        init[2::4], init[3::4] = first[1::2], seed_v[1::2]
        trans, obs = self._matrices()
        try:
            model, means, covs = self.backend.fit(trans, obs, init, rows)
        except Exception:  # numerical edge cases: the track keeps the plain candidates
            return False
        self._filters[tid] = model
        self._last[tid] = (self._cap(means[-1], cap), np.asarray(covs[-1]))
        self._last_corrected[tid] = window[-1].frame_idx
        self._last_seen[tid] = window[-1].frame_idx
        self._median_step[tid] = step
        return True

    def _init_filters(self) -> None:
        n = self._n_nodes or 0
        idx = self.kalman.node_indices
        self._nodes = [i for i in idx if i < n] if idx is not None else list(range(n))
        self._ready = True
        if not self._nodes:
            return
        for tid in list(self._history):
            self._fit(tid)

    def _init_missing(self) -> None:
        if not self._nodes:
            return
        for tid in self._current_tracks():
            if tid not in self._filters and len(self._fresh_window(tid)) >= (
                self.kalman.init_frame_count
            ):
                self._fit(tid)

    def _correct(self) -> None:
        for tid, model in list(self._filters.items()):
            last_done = self._last_corrected.get(tid, -1)
            new = [h for h in self._history.get(tid, []) if h.frame_idx > last_done]
            cap, gate = self._vcap(tid), self._gate(tid)
            for h in new:
                mean, cov = self._last[tid]
                gap = h.frame_idx - self._last_corrected.get(tid, -1)
                try:
                    for _ in range(max(0, gap - 1)):
                        mean, cov = self.backend.step(model, mean, cov, None)
                        mean = self._cap(mean, cap)
                    p_mean, p_cov = self.backend.step(model, mean, cov, None)
                    pc = _nanmean(self._points_of(p_mean))
                    oc = self._centroid(h.keypoints)
                    gated = bool(
                        not np.isnan(pc).any() and not np.isnan(oc).any()
                        and float(np.linalg.norm(pc - oc)) > gate
                    )
                    if gated:
                        mean, cov = p_mean, p_cov
                    else:
                        vec = self._tracked(h.keypoints).flatten()
                        mean, cov = self.backend.step(model, mean, cov, vec)
                except Exception:  # numerical edge cases, as the reference
                    break
                self._last[tid] = (self._cap(mean, cap), np.asarray(cov))
                self._last_corrected[tid] = h.frame_idx
                if not gated:
                    self._last_seen[tid] = h.frame_idx

    def _reset_stale(self) -> None:
        stale = [t for t, last in self._last_seen.items()
                 if self._frame - last > self.kalman.reset_gap_size]
        for tid in stale:
            for d in (self._filters, self._last, self._last_seen, self._last_corrected,
                      self._median_step):
                d.pop(tid, None)
            self._reset_at[tid] = self._frame

    def _predict(self, tid: int) -> tuple[np.ndarray, int] | None:
        """The track's candidate pose ``(n_nodes, 2)`` and its visible count, or None."""
        model, prior, hist = self._filters.get(tid), self._last.get(tid), self._history.get(tid)
        if model is None or prior is None or not hist:
            return None
        steps = max(1, self._frame - self._last_corrected.get(tid, self._frame - 1))
        cap = self._vcap(tid)
        mean, cov = prior
        try:
            for _ in range(steps):
                mean, cov = self.backend.step(model, mean, cov, None)
                mean = self._cap(mean, cap)
        except Exception:
            return None
        last = np.asarray(hist[-1].keypoints, dtype=np.float64)
        n_vis = int((~np.isnan(last).any(axis=1)).sum())
        blend = self.kalman.prediction_blend
        pc = _nanmean(self._points_of(mean))
        lc = self._centroid(last)
        if np.isnan(pc).any() or np.isnan(lc).any():
            return last, n_vis
        if self.kalman.track_features != "keypoints":
            return last + blend * (pc - lc), n_vis
        idx = self._nodes or []
        pred = self._points_of(mean)
        disp = pred - last[idx]
        blended = last[idx] + blend * disp
        blended = np.where(np.isnan(blended), pred, blended)
        cand = last.copy()
        cand[idx] = blended
        mean_disp = _nanmean(disp)
        if not np.isnan(mean_disp).any():
            rest = np.ones(last.shape[0], dtype=bool)
            rest[idx] = False
            cand[rest] = last[rest] + blend * mean_disp
        return cand, n_vis
