"""Assignment and grouping solvers: the one domain module allowed to import scipy (ADR-0003)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components


def hungarian(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-cost assignment of a (possibly rectangular) cost matrix.

    Args:
        cost: ``(n_rows, n_cols)`` float; ``+inf`` entries are forbidden.

    Returns:
        ``(rows, cols)`` int arrays of matched pairs, rows ascending. ``min(n_rows, n_cols)``
        pairs when a feasible complete matching exists.

    Raises:
        ValueError: when no complete matching avoids the forbidden entries (scipy's
            "cost matrix is infeasible").
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows, cols = linear_sum_assignment(cost)
    return rows.astype(np.int64), cols.astype(np.int64)


def linked_groups(points: np.ndarray, gap: float) -> np.ndarray:
    """Single-linkage groups: points chained by steps of at most ``gap`` share a label.

    Args:
        points: ``(n, 2)`` float.
        gap: Largest step, same unit as ``points``.

    Returns:
        ``(n,)`` int group labels, ``0 .. n_groups - 1``.
    """
    pts = np.asarray(points, dtype=np.float64)
    near = np.linalg.norm(pts[:, None] - pts[None], axis=-1) <= gap
    return np.asarray(connected_components(near, directed=False)[1], dtype=np.int64)


def greedy(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Greedy assignment: repeatedly take the cheapest remaining cell (row-major ties).

    Args:
        cost: ``(n_rows, n_cols)`` float.

    Returns:
        ``(rows, cols)`` of matched pairs in the order they were taken.
    """
    cost = np.asarray(cost, dtype=np.float64)
    n_rows, n_cols = cost.shape if cost.ndim == 2 else (0, 0)
    order = np.argsort(cost, axis=None, kind="quicksort")
    used_r = np.zeros(n_rows, dtype=bool)
    used_c = np.zeros(n_cols, dtype=bool)
    rows: list[int] = []
    cols: list[int] = []
    for flat in order:
        r, c = divmod(int(flat), n_cols)
        if used_r[r] or used_c[c]:
            continue
        used_r[r] = used_c[c] = True
        rows.append(r)
        cols.append(c)
        if len(rows) == min(n_rows, n_cols):
            break
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
