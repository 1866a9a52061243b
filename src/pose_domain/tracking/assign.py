"""From track scores to matches (``--track_matching_method``), as the reference does it.

cost = -score, NaN -> +inf. Every returned pair is accepted (no similarity gate).
"""

from __future__ import annotations

import numpy as np

from pose_domain.errors import InvalidOptionError
from pose_domain.matching import greedy, hungarian


def scores_to_cost(scores: np.ndarray) -> np.ndarray:
    """``(n, t)`` cost = -score with NaN mapped to +inf."""
    cost = -scores
    cost[np.isnan(cost)] = np.inf
    return cost


def match(cost: np.ndarray, method: str = "hungarian") -> list[tuple[int, int]]:
    """Assign rows (instances) to columns (tracks).

    ``hungarian`` first replaces non-finite costs by ``10 * max|finite| + 1`` (1e6 when no cost
    is finite), so a complete matching always exists; ``greedy`` takes the cheapest remaining
    cell until rows or columns run out (row-major order on ties, inf included).

    Args:
        cost: ``(n, t)`` float64, may contain +inf.
        method: ``hungarian`` or ``greedy``.

    Returns:
        ``(row, col)`` pairs; ``min(n, t)`` of them.
    """
    if cost.size == 0:
        return []
    if method == "hungarian":
        finite = np.isfinite(cost)
        if not finite.all():
            fill = float(np.abs(cost[finite]).max()) * 10 + 1 if finite.any() else 1e6
            cost = np.where(finite, cost, fill)
        rows, cols = hungarian(cost)
    elif method == "greedy":
        rows, cols = greedy(cost)
    else:
        raise InvalidOptionError(
            f"--track_matching_method {method} is unknown", hint="use hungarian or greedy"
        )
    return [(int(r), int(c)) for r, c in zip(rows, cols)]
