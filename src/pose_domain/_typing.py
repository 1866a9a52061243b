"""Array aliases shared by the domain. Axis names follow ``n_frames, n_instances, n_nodes``."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: ``(n_nodes, 2)`` float64 pixel coordinates ``(x, y)``; NaN marks a missing node.
PointsXY = NDArray[np.float64]
#: ``(n_nodes,)`` float64 per-node scores.
NodeScores = NDArray[np.float64]
#: Any float array.
FloatArray = NDArray[np.floating]
#: Any integer array.
IntArray = NDArray[np.integer]
