"""Instances, tracks and labeled frames.

Points are ``(n_nodes, 2)`` float64 arrays of ``(x, y)`` pixel coordinates in the original
frame; NaN marks a missing node. Instances and tracks are entities (identity equality, as in
sleap-io); compare poses with :meth:`Instance.same_pose_as`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np

from pose_domain._typing import NodeScores, PointsXY
from pose_domain.errors import SkeletonMismatchError


def _points(value: Any) -> PointsXY:
    arr = np.array(value, dtype=np.float64, copy=True)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise SkeletonMismatchError(f"points must have shape (n_nodes, 2), got {arr.shape}")
    arr.setflags(write=False)
    return arr


def _vector(value: Any) -> NodeScores:
    arr = np.array(value, dtype=np.float64, copy=True).reshape(-1)
    arr.setflags(write=False)
    return arr


@attrs.define(eq=False)
class Track:
    """An identity that instances across frames belong to (entity: compared by identity)."""

    name: str = ""

    def __repr__(self) -> str:
        return f"Track({self.name!r})"


@attrs.define(eq=False, kw_only=True)
class Instance:
    """A user-labeled (ground-truth) pose.

    Attributes:
        points: ``(n_nodes, 2)`` float64, NaN = missing node.
        track: Identity, or None.
    """

    points: PointsXY = attrs.field(converter=_points)
    track: Track | None = None

    @classmethod
    def from_numpy(cls, points: Any, track: Track | None = None) -> Instance:
        return cls(points=points, track=track)

    @property
    def n_nodes(self) -> int:
        return int(self.points.shape[0])

    @property
    def visible(self) -> np.ndarray:
        """``(n_nodes,)`` bool: the node has coordinates."""
        return np.asarray(~np.isnan(self.points).any(axis=1))

    @property
    def n_visible(self) -> int:
        return int(self.visible.sum())

    @property
    def is_predicted(self) -> bool:
        return False

    def same_pose_as(self, other: Instance, atol: float = 1e-6) -> bool:
        """True when both have the same points (NaN equal to NaN) within ``atol``."""
        if self.points.shape != other.points.shape:
            return False
        return bool(np.allclose(self.points, other.points, atol=atol, rtol=0, equal_nan=True))

    def bbox(self) -> np.ndarray:
        """``[xmin, ymin, xmax, ymax]`` of visible nodes (NaN if none is visible)."""
        vis = self.points[self.visible]
        if len(vis) == 0:
            return np.full(4, np.nan)
        return np.array([vis[:, 0].min(), vis[:, 1].min(), vis[:, 0].max(), vis[:, 1].max()])


@attrs.define(eq=False, kw_only=True)
class PredictedInstance(Instance):
    """A pose predicted by a model.

    Attributes:
        point_scores: ``(n_nodes,)`` confidence per node (NaN or 0 where missing, by model).
        score: Instance score (meaning depends on the model type).
        tracking_score: Association score set by the tracker or an identity model.
        centroid: ``(2,)`` the detected centroid the instance was cropped around (top-down),
            or None.
    """

    point_scores: NodeScores = attrs.field(converter=_vector)
    score: float = attrs.field(default=0.0, converter=float)
    tracking_score: float = attrs.field(default=0.0, converter=float)
    centroid: np.ndarray | None = None

    def __attrs_post_init__(self) -> None:
        if self.point_scores.shape[0] != self.points.shape[0]:
            raise SkeletonMismatchError(
                f"{self.point_scores.shape[0]} point scores for {self.points.shape[0]} nodes"
            )

    @classmethod
    def from_arrays(
        cls,
        points: Any,
        point_scores: Any,
        score: float,
        *,
        track: Track | None = None,
        tracking_score: float = 0.0,
    ) -> PredictedInstance:
        return cls(
            points=points,
            point_scores=point_scores,
            score=score,
            track=track,
            tracking_score=tracking_score,
        )

    @property
    def is_predicted(self) -> bool:
        return True

    def with_track(self, track: Track | None, tracking_score: float) -> PredictedInstance:
        """A copy attached to ``track`` (arrays are shared: they are read-only)."""
        new = attrs.evolve(self, track=track, tracking_score=tracking_score)
        return new


@attrs.define(eq=False)
class LabeledFrame:
    """The instances of one frame of one video.

    Attributes:
        video_index: Index of the video in its dataset.
        frame_idx: 0-based frame index within the video.
        instances: User and predicted instances.
    """

    video_index: int
    frame_idx: int
    instances: list[Instance] = attrs.field(factory=list)

    @property
    def user_instances(self) -> list[Instance]:
        return [i for i in self.instances if not i.is_predicted]

    @property
    def predicted_instances(self) -> list[PredictedInstance]:
        return [i for i in self.instances if isinstance(i, PredictedInstance)]

    @property
    def has_user_instances(self) -> bool:
        return any(not i.is_predicted for i in self.instances)


def stack_points(instances: Sequence[Instance], n_nodes: int) -> np.ndarray:
    """``(n_instances, n_nodes, 2)`` array of the instances' points."""
    if not instances:
        return np.zeros((0, n_nodes, 2))
    return np.stack([i.points for i in instances])


def unique_tracks(instances: Iterable[Instance]) -> list[Track]:
    """Tracks in order of first appearance."""
    seen: dict[int, Track] = {}
    for inst in instances:
        if inst.track is not None and id(inst.track) not in seen:
            seen[id(inst.track)] = inst.track
    return list(seen.values())
