"""The offline tracker's stages composed for one video (docs/tracking_global.md).

``scales -> split -> tracklets -> link -> refine -> nodes -> flips``, each a pure function of
typed values; :func:`solve` runs them on the poses of one video and says, in the frame's own
instance rows, which instance each identity takes as it is and which poses are rebuilt.
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

from pose_domain.tracking.offline.config import GlobalConfig
from pose_domain.tracking.offline.flips import fix_flips
from pose_domain.tracking.offline.link import link_tracklets, path_identities
from pose_domain.tracking.offline.nodes import bridged, reassign_nodes
from pose_domain.tracking.offline.refine import refine, smoothed
from pose_domain.tracking.offline.scales import estimate_scales, guess_identities
from pose_domain.tracking.offline.split import frame_rows
from pose_domain.tracking.offline.tracklets import build_tracklets
from pose_domain.tracking.offline.values import (
    Assignment,
    FrameRows,
    IdentityFrame,
    Pose,
    pose_size,
)


@attrs.frozen(eq=False)
class Solution:
    """Identities of one video, in the rows of each frame's instances.

    Attributes:
        n_identities: Number of identities found (K; at most the number asked for).
        whole: ``(frame position, instance row) -> identity`` for instances taken as they are.
        poses: ``(frame position, identity) -> Pose`` (owners = instance rows) for identities
            whose pose is rebuilt from nodes (re-assigned, label-swapped or a part of a split
            instance); an empty pose means the identity's instance was pruned away.
    """

    n_identities: int
    whole: Assignment
    poses: dict[IdentityFrame, Pose]


def solve(
    points: list[NDArray[np.float64]], fidx: NDArray[np.int64], cfg: GlobalConfig
) -> Solution:
    """Run every stage on one video.

    Args:
        points: Per frame position ``(n, N, 2)`` px, the frame's instances (NaN = missing);
            ``(0, 0, 2)`` for a frame without any.
        fidx: ``(n_frames,)`` frame index of each position, increasing.
        cfg: Tracker settings.

    Returns:
        The :class:`Solution`; no identity when there is no instance at all.
    """
    counts = np.array([len(p) for p in points])
    if counts.sum() == 0:
        return Solution(0, {}, {})
    k = cfg.n_identities if cfg.n_identities is not None else guess_identities(counts)
    sizes = [pose_size(p) if len(p) else np.zeros(0) for p in points]
    scales = estimate_scales(sizes, cfg.tracklets, cfg.link)
    rows: list[FrameRows] = [
        frame_rows(p, sz, scales.body, cfg.split) for p, sz in zip(points, sizes)
    ]
    every = [fr.points for fr in rows]
    trackable = [fr.trackable for fr in rows]
    part = [fr.part for fr in rows]
    tracklets = build_tracklets(trackable, fidx, scales.gate)
    paths = link_tracklets(tracklets, fidx, [fr.weight for fr in rows], k, scales, cfg.link)
    n_ids = len(paths)
    assign = path_identities(tracklets, paths)
    for _ in range(cfg.refine.passes):
        assign = refine(trackable, part, assign, n_ids, scales.body, cfg.refine)
    poses: dict[IdentityFrame, Pose] = {}
    if cfg.nodes.enabled and n_ids:
        ref = smoothed(every, assign, n_ids, cfg.nodes.window)
        if cfg.nodes.bridge:
            ref = bridged(ref, fidx)
        poses = reassign_nodes(every, assign, ref, scales.body, cfg.nodes)
    if cfg.flips.enabled and n_ids:
        poses = fix_flips(
            every, assign, poses, n_ids, scales.body, fidx, cfg.flips, cfg.link.max_gap
        )
    poses = dict(poses)
    for (f, row), ident in assign.items():
        if part[f][row] and (f, ident) not in poses:
            poses[(f, ident)] = Pose.from_row(every[f][row], row)
    return Solution(
        n_identities=n_ids,
        whole={
            (f, int(rows[f].origin[row])): ident
            for (f, row), ident in assign.items()
            if not part[f][row]
        },
        poses={key: _to_instance_rows(pose, rows[key[0]]) for key, pose in poses.items()},
    )


def _to_instance_rows(pose: Pose, rows: FrameRows) -> Pose:
    """``pose`` with its owners mapped from working rows to the frame's instance rows."""
    own = pose.owner
    return Pose(
        pose.points, np.where(own >= 0, rows.origin[np.maximum(own, 0)], -1), pose.source_node
    )
