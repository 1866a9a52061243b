"""Typed values passed between the stages of the offline tracker (docs/tracking_global.md).

Keys: a *slot* ``(frame position, row)`` names one working row of one frame (the frames of one
video, sorted by frame index, are numbered ``0 .. n_frames - 1``); an *identity frame*
``(frame position, identity)`` names one identity's pose in one frame.
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

#: ``(frame position, row)``: one working row of one frame.
Slot = tuple[int, int]
#: ``(frame position, identity)``: one identity in one frame.
IdentityFrame = tuple[int, int]
#: ``slot -> identity`` (0 .. K - 1); slots absent are untracked.
Assignment = dict[Slot, int]


@attrs.frozen
class Scales:
    """Scales of one video estimated from its data (px).

    Attributes:
        body: Body size: twice the median RMS node distance from the centroid.
        gate: Largest mean node step of a tracklet link.
        sigma: Motion spread of a one-frame gap between tracklets.
    """

    body: float
    gate: float
    sigma: float


@attrs.frozen(eq=False)
class FrameRows:
    """One frame's working rows: the trackable ones first, then oversized ones nobody tracks.

    Attributes:
        points: ``(m, N, 2)`` px, NaN = missing.
        origin: ``(m,)`` int, the row of the frame's instance each working row comes from.
        part: ``(t,)`` bool for the ``t`` trackable rows: a part of a split instance.
        weight: ``(t,)`` float, reward share of each trackable row (1 for a whole instance).
    """

    points: NDArray[np.float64]
    origin: NDArray[np.int64]
    part: NDArray[np.bool_]
    weight: NDArray[np.float64]

    @property
    def trackable(self) -> NDArray[np.float64]:
        """``(t, N, 2)`` the rows the tracklet, link and refine stages see."""
        return self.points[: len(self.weight)]


@attrs.frozen(eq=False)
class Tracklet:
    """An unambiguous chain of working rows in consecutive frames.

    Attributes:
        members: Slots in frame order, one per frame.
        points: ``(T, N, 2)`` px, the members' poses.
    """

    members: tuple[Slot, ...]
    points: NDArray[np.float64]


@attrs.frozen(eq=False)
class Pose:
    """An identity's output pose in one frame, built from nodes of the frame's working rows.

    Attributes:
        points: ``(N, 2)`` px, NaN = missing.
        owner: ``(N,)`` int, the row each node comes from (-1 = missing); working rows until
            the tracker maps them back to the frame's instance rows.
        source_node: ``(N,)`` int, the node index each node had in its row (differs from its
            own index once a label swap was undone); its point score comes along.
    """

    points: NDArray[np.float64]
    owner: NDArray[np.int64]
    source_node: NDArray[np.int64]

    @classmethod
    def from_row(cls, points: NDArray[np.float64], row: int) -> Pose:
        """A row's pose as it is: ``points`` ``(N, 2)``, every visible node owned by ``row``."""
        vis = ~np.isnan(points).any(axis=-1)
        return cls(points, np.where(vis, row, -1), np.arange(points.shape[0]))

    @property
    def is_empty(self) -> bool:
        """No node left (the identity's instance was pruned away)."""
        return not bool((self.owner >= 0).any())

    def permuted(self, perm: NDArray[np.int64]) -> Pose:
        """The pose with its nodes reordered by ``perm`` ``(N,)`` (a label swap undone)."""
        return Pose(self.points[perm], self.owner[perm], self.source_node[perm])


@attrs.frozen(eq=False)
class IdentityTrack:
    """One identity's poses over the frames where it has one.

    Attributes:
        frame_idx: ``(T,)`` int frame indices, increasing.
        poses: ``(T, N, 2)`` px, NaN = missing.
    """

    frame_idx: NDArray[np.int64]
    poses: NDArray[np.float64]


def visible(points: NDArray[np.float64]) -> NDArray[np.bool_]:
    """``(..., N)`` bool: the node has coordinates, for ``points`` ``(..., N, 2)``."""
    return np.asarray(~np.isnan(points).any(axis=-1))


def pose_size(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """RMS node distance from the centroid.

    Args:
        points: ``(n, N, 2)`` px, NaN = missing.

    Returns:
        ``(n,)`` px; NaN with fewer than 2 visible nodes.
    """
    vis = visible(points)
    cnt = vis.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        c = np.nanmean(np.where(vis[..., None], points, np.nan), axis=1) if points.size else None
    if c is None:
        return np.zeros(0)
    r2 = np.where(vis, np.sum((points - c[:, None]) ** 2, axis=-1), 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.asarray(np.sqrt(r2 / cnt), dtype=np.float64)
    out[cnt < 2] = np.nan
    return out


def n_nodes_of(rows: list[NDArray[np.float64]]) -> int:
    """Skeleton size ``N`` of per-frame ``(n, N, 2)`` rows (0 when every frame is empty)."""
    return next((p.shape[1] for p in rows if len(p)), 0)
