"""An output format registered through the ``pose.output_formats`` entry point.

pose hands ``write`` its in-memory dataset (``pose_app.dataset.Dataset``) and a temporary path;
pose renames the file into place once ``write`` returns (atomically, under the output's lock).
"""

from __future__ import annotations

import math
from typing import Any


class PointsTsv:
    """One line per predicted point: frame, track, node, x, y, score (tab-separated)."""

    name = "points_tsv"
    suffix = ".points.tsv"
    description = "Example plug-in: one tab-separated line per point"

    def write(self, dataset: Any, path: str, context: Any) -> None:
        nodes = list(dataset.skeleton.nodes)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("video\tframe\ttrack\tnode\tx\ty\tscore\n")
            for frame in dataset.frames:
                for inst in frame.instances:
                    track = inst.track.name if inst.track is not None else ""
                    scores = getattr(inst, "point_scores", None)
                    for n, node in enumerate(nodes):
                        x, y = (float(v) for v in inst.points[n])
                        s = float(scores[n]) if scores is not None else math.nan
                        fh.write(f"{frame.video_index}\t{frame.frame_idx}\t{track}\t{node}\t"
                                 f"{x!r}\t{y!r}\t{s!r}\n")
