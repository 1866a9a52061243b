"""Stage ``scales``: the body size, link gate and motion spread of one video, from its data."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from pose_domain.tracking.offline.config import LinkConfig, TrackletConfig
from pose_domain.tracking.offline.values import Scales

#: Body size (px) of a video without any instance of two or more visible nodes.
DEFAULT_BODY = 10.0


def estimate_scales(
    sizes: list[NDArray[np.float64]], tracklets: TrackletConfig, link: LinkConfig
) -> Scales:
    """Body size (twice the median instance size) and the gates that scale with it.

    Args:
        sizes: Per frame ``(n,)`` :func:`~pose_domain.tracking.offline.values.pose_size` of
            the frame's instances, px (NaN = fewer than 2 nodes).
        tracklets: Gives the link gate (``gate`` body sizes, at least 1 px).
        link: Gives the motion spread (``sigma`` body sizes, at least 0.5 px).

    Returns:
        The video's :class:`Scales`, px.
    """
    allsz = np.concatenate(sizes) if sizes else np.zeros(0)
    allsz = allsz[np.isfinite(allsz)]
    body = float(np.median(allsz)) * 2 if allsz.size else DEFAULT_BODY
    return Scales(
        body=body,
        gate=max(tracklets.gate * body, 1.0),
        sigma=max(link.sigma * body, 0.5),
    )


def guess_identities(counts: NDArray[np.int64]) -> int:
    """The most common non-zero instance count per frame (the larger one on a tie).

    Args:
        counts: ``(n_frames,)`` instances per frame, at least one non-zero.
    """
    nz = counts[counts > 0]
    vals, freq = np.unique(nz, return_counts=True)
    return int(vals[freq == freq.max()].max())
