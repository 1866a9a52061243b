"""A centroid model with ground-truth instances: each detected centroid gets the labeled
instance nearest to it (SLEAP 1.x's top-down predictor without a centered-instance model).

This scores the centroid model alone: the keypoints are the labels' own, so an OKS of 1 means
every animal was found. Its mirror, a centered-instance model at ground-truth centroids, is
:class:`pose_app.stages.top_down.TopDownStage` with ``gt_centroids=True``.
"""

from __future__ import annotations

import numpy as np

from pose_app.stages.base import (
    WholeFrameBatch,
    WholeFrameStage,
    frame_centroids,
    instance_from,
)
from pose_domain import decoding
from pose_domain.errors import SkeletonMismatchError
from pose_domain.instance import PredictedInstance


class GroundTruthInstancesStage(WholeFrameStage):
    """Centroid model → centroids; ground-truth instances matched to them (point scores 1,
    instance score = centroid value). Needs a labeled ``.slp`` (``needs_gt_centroids``)."""

    model_type = "top_down"
    needs_gt_centroids = True
    keeps_input_instances = False  # the matched labels are the output

    def decode(self, raw: WholeFrameBatch) -> list[list[PredictedInstance]]:
        n_nodes = self.output_skeleton.n_nodes
        out: list[list[PredictedInstance]] = []
        found = frame_centroids(raw, self.models[0].spec, self.options)
        for job, (centers, values) in zip(raw.jobs, found):
            gt = [i.points for i in job.gt_instances]
            for pts in gt:
                if len(pts) != n_nodes:
                    raise SkeletonMismatchError(
                        f"the labels have {len(pts)} nodes but the centroid model's skeleton "
                        f"has {n_nodes}",
                        hint="use the labels the centroid model was trained on",
                    )
            match = decoding.nearest_gt_instances(centers, np.stack(gt) if gt else np.zeros(
                (0, n_nodes, 2)))
            insts, cents = [], []
            for k, g in enumerate(match):
                if g < 0:
                    continue
                inst = instance_from(gt[g], np.ones(n_nodes), float(values[k]))
                inst.centroid = centers[k]
                insts.append(inst)
                cents.append(centers[k])
            out.append(self._finish(insts, cents))
        return out
