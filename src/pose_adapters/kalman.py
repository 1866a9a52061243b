"""Kalman filter arithmetic for ``--use_kalman`` with pykalman (ADR-0125).

pykalman is what sleap-nn 0.3.5 uses; the same EM fit and filter steps on the same inputs give
the same candidates, hence the same tracks. It is an optional dependency (``pose[kalman]``),
imported only when Kalman tracking runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pose_domain.errors import InvalidOptionError

_EM_VARS = ["transition_covariance", "observation_covariance", "initial_state_covariance"]


def _kalman_filter_cls() -> Any:
    try:
        from pykalman import KalmanFilter
    except ImportError as exc:
        raise InvalidOptionError(
            "--use_kalman needs the pykalman package, which is not installed",
            hint="pip install 'pose[kalman]' (or pip install pykalman)",
        ) from exc
    return KalmanFilter


class PykalmanBackend:
    """:class:`pose_domain.tracking.kalman.KalmanBackend` on ``pykalman.KalmanFilter``."""

    def __init__(self, n_iter: int = 20) -> None:
        self.n_iter = n_iter
        self._cls = _kalman_filter_cls()

    def fit(
        self, transition: np.ndarray, observation: np.ndarray,
        initial_state_mean: np.ndarray, observations: np.ndarray,
    ) -> tuple[Any, np.ndarray, np.ndarray]:
        """EM on the noise covariances, then filter; see the port for shapes."""
        obs = np.ma.masked_invalid(np.asarray(observations, dtype=float))
        kf = self._cls(
            transition_matrices=transition.tolist(),
            observation_matrices=observation.tolist(),
            initial_state_mean=[float(v) for v in initial_state_mean],
        )
        kf = kf.em(obs, n_iter=self.n_iter, em_vars=list(_EM_VARS))
        means, covs = kf.filter(obs)
        return kf, np.asarray(means), np.asarray(covs)

    def step(
        self, model: Any, mean: np.ndarray, covariance: np.ndarray,
        observation: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One filter step; ``observation`` None = predict only."""
        if observation is None:
            obs: Any = np.ma.masked
        else:
            obs = np.ma.masked_invalid(np.ma.asarray(observation, dtype=float))
        m, c = model.filter_update(mean, covariance, observation=obs)
        return np.asarray(m), np.asarray(c)
