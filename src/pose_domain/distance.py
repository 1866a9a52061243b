"""Distance between poses, the one definition shared by tracking and identity metrics."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def mean_node_distance(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean Euclidean distance over the nodes visible in both poses, broadcasting.

    Args:
        a: ``(..., n_nodes, 2)`` px, NaN = missing.
        b: ``(..., n_nodes, 2)`` px, NaN = missing; broadcast against ``a``
            (pairwise: ``mean_node_distance(a[:, None], b[None])``).

    Returns:
        ``(...)`` float64 px; ``inf`` where no node is visible in both.
    """
    d = np.linalg.norm(np.asarray(a) - np.asarray(b), axis=-1)
    ok = ~np.isnan(d)
    count = ok.sum(axis=-1)
    total = np.where(ok, d, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    return np.asarray(np.where(count > 0, mean, np.inf), dtype=np.float64)
