"""Stage ``tracklets``: chains of rows linked between consecutive frames only when sure.

A row continues an open tracklet (one whose last member is in the previous frame) when the
Hungarian pair is within the gate and every alternative in its row and column of the distance
matrix is clearly farther. Distances are to each node's last known position in the tracklet,
so a partial pose links to one that shares no node with it. Anything doubtful starts a new
tracklet; the global solve decides across the breaks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pose_domain.distance import mean_node_distance
from pose_domain.matching import hungarian
from pose_domain.tracking.offline.values import Slot, Tracklet

#: A link is unambiguous when every alternative is this many times farther (plus 2 % of the
#: gate, so that two near-zero distances do not count as clear).
AMBIGUITY_RATIO = 2.0


def build_tracklets(
    rows: list[NDArray[np.float64]], fidx: NDArray[np.int64], gate: float
) -> list[Tracklet]:
    """Unambiguous chains of rows over consecutive frame indices.

    Args:
        rows: Per frame position ``(t, N, 2)`` trackable rows, px, NaN = missing.
        fidx: ``(n_frames,)`` frame index of each position, increasing.
        gate: Largest mean node distance of a link, px.

    Returns:
        Tracklets in order of creation (by first frame, then row); every row is in exactly one.
    """
    members: list[list[Slot]] = []
    points: list[list[NDArray[np.float64]]] = []
    last: dict[int, int] = {}  # open tracklet -> frame position of its last member
    known: dict[int, NDArray[np.float64]] = {}  # tracklet -> last known position of each node
    for f in range(len(rows)):
        cur = rows[f]
        last = {t: lf for t, lf in last.items() if fidx[f] - fidx[lf] == 1}
        cand = list(last)
        links: dict[int, int] = {}
        if cand and len(cur):
            prev = np.stack([known[t] for t in cand])
            d = mean_node_distance(prev[:, None], cur[None])
            r, c = hungarian(np.where(np.isfinite(d), d, 1e12))
            for i, j in zip(r.tolist(), c.tolist()):
                dij = d[i, j]
                if not dij <= gate:
                    continue
                others = np.concatenate([np.delete(d[i], j), np.delete(d[:, j], i)])
                margin = AMBIGUITY_RATIO * dij + 0.02 * gate
                if others.size and not (others > margin).all():
                    continue
                links[j] = cand[i]
        for j in range(len(cur)):
            if j in links:
                t = links[j]
            else:
                t = len(members)
                members.append([])
                points.append([])
            members[t].append((f, j))
            points[t].append(cur[j])
            seen = ~np.isnan(cur[j]).any(axis=-1)
            known[t] = np.where(seen[:, None], cur[j], known.get(t, cur[j]))
            last[t] = f
    return [Tracklet(tuple(m), np.stack(p)) for m, p in zip(members, points)]
