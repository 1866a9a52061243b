"""``predict(make_labels=False)``: the per-batch dicts of numpy arrays (SLEAP 1.x layout)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pose_app.network_outputs import NetworkOutputs, RuntimeOutputs
from pose_app.predict import PredictResult
from pose_app.predict.arrays import MULTI_CLASS_TYPES, ArrayCollector


def raw_batches(result: PredictResult, collector: ArrayCollector, batch_size: int,
                network_outputs: Sequence[Sequence[RuntimeOutputs]]) -> list[dict[str, np.ndarray]]:
    """One dict per batch of processed frames (empty frames included).

    Args:
        result: The finished run (its model type, skeleton and tracks).
        collector: The frames the run processed, in order.
        batch_size: Frames per dict.
        network_outputs: Per network, the outputs of each call (``return_confmaps``); they
            are attached by batch when the first network ran once per batch.
    """
    skeleton = result.dataset.skeleton
    classes = result.dataset.tracks if result.model_type in MULTI_CLASS_TYPES else []
    batches = collector.batches(batch_size, model_type=result.model_type,
                                n_nodes=skeleton.n_nodes if skeleton else 0, classes=classes)
    if network_outputs and len(network_outputs[0]) == len(batches):
        two_stage = len(network_outputs) > 1
        for batch, out in zip(batches, network_outputs[0]):
            if not isinstance(out, NetworkOutputs):  # a sleap-nn export graph: no maps
                continue
            key = "centroid_confmaps" if two_stage else "confmaps"
            batch[key] = np.moveaxis(np.asarray(out.confmaps), 1, -1)
            if out.pafs is not None:
                batch["part_affinity_fields"] = np.moveaxis(np.asarray(out.pafs), 1, -1)
    return batches
