"""K node-disjoint minimum-cost paths through a DAG of tracklets (min-cost flow, SSP).

Pure Python + heapq: the graphs are small (one node per tracklet) and K is the number of
animals. Successive shortest paths with Johnson potentials keep every Dijkstra run on
non-negative reduced costs; the first potentials come from a DAG dynamic programme.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence


def disjoint_paths(
    node_cost: Sequence[float],
    edges: Sequence[tuple[int, int, float]],
    k: int,
    enter_cost: float = 0.0,
    exit_cost: float = 0.0,
) -> list[list[int]]:
    """Up to ``k`` node-disjoint paths of minimum total cost.

    Nodes ``0..n-1`` must be in topological order (every edge goes from a lower to a higher
    index). A path may start and end at any node; only paths that lower the total cost are
    taken (so fewer than ``k`` may come back).

    Args:
        node_cost: ``(n,)`` cost of using each node (negative = reward).
        edges: ``(u, v, cost)`` with ``u < v``.
        k: Maximum number of paths.
        enter_cost: Cost of starting a path. exit_cost: Cost of ending one.

    Returns:
        Paths as node lists, in order of discovery.
    """
    n = len(node_cost)
    if n == 0 or k <= 0:
        return []
    # graph: S=0, T=1, in(i)=2+2i, out(i)=3+2i
    size = 2 + 2 * n
    to: list[int] = []
    cap: list[int] = []
    cost: list[float] = []
    adj: list[list[int]] = [[] for _ in range(size)]

    def add(u: int, v: int, c: float) -> None:
        adj[u].append(len(to))
        to.append(v)
        cap.append(1)
        cost.append(c)
        adj[v].append(len(to))
        to.append(u)
        cap.append(0)
        cost.append(-c)

    for i in range(n):
        add(0, 2 + 2 * i, enter_cost)
        add(2 + 2 * i, 3 + 2 * i, float(node_cost[i]))
        add(3 + 2 * i, 1, exit_cost)
    for u, v, c in edges:
        add(3 + 2 * u, 2 + 2 * v, float(c))
    # initial potentials: DAG shortest distances (topological: S, then in/out by index, T)
    inf = float("inf")
    pot = [inf] * size
    pot[0] = 0.0
    order = [0, *range(2, size), 1]
    for u in order:
        if pot[u] == inf:
            continue
        for e in adj[u]:
            if cap[e] > 0 and pot[u] + cost[e] < pot[to[e]]:
                pot[to[e]] = pot[u] + cost[e]
    pot = [p if p < inf else 0.0 for p in pot]

    for _ in range(k):
        dist = [inf] * size
        prev = [-1] * size
        dist[0] = 0.0
        heap = [(0.0, 0)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for e in adj[u]:
                if cap[e] <= 0:
                    continue
                v = to[e]
                nd = d + cost[e] + pot[u] - pot[v]
                if nd < dist[v] - 1e-12:
                    dist[v] = nd
                    prev[v] = e
                    heapq.heappush(heap, (nd, v))
        if dist[1] == inf:
            break
        true_cost = dist[1] + pot[1] - pot[0]
        if true_cost >= 0:
            break
        v = 1
        while v != 0:
            e = prev[v]
            cap[e] -= 1
            cap[e ^ 1] += 1
            v = to[e ^ 1]
        for u in range(size):
            if dist[u] < inf:
                pot[u] += dist[u]

    # read the paths from the saturated (forward, even-numbered) edges
    succ: dict[int, int] = {}
    for i in range(n):
        for e in adj[3 + 2 * i]:
            if e % 2 == 0 and cap[e] == 0 and to[e] >= 2:
                succ[i] = (to[e] - 2) // 2
    starts = [(to[e] - 2) // 2 for e in adj[0] if e % 2 == 0 and cap[e] == 0]
    paths: list[list[int]] = []
    for s in starts:
        path = [s]
        while path[-1] in succ:
            path.append(succ[path[-1]])
        paths.append(path)
    return paths
