"""SLEAP's own formats through sleap-io: ``.slp``, ``.pkg.slp`` (frames embedded) and the
analysis HDF5 that SLEAP's ``Export Analysis`` writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from pose_app.formats import WriteContext

if TYPE_CHECKING:
    from pose_app.dataset import Dataset


@attrs.frozen
class SlpFormat:
    """``.slp``: every frame, instance, track and the provenance; ``--embed`` and
    ``--centroid-output`` apply."""

    name: str = "slp"
    suffix: str = ".slp"
    description: str = "SLEAP labels (.slp), read by SLEAP, sleap-io and movement"

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        from pose_adapters.slp.store import (
            add_centroids,
            embedded_frames,
            labels_from_dataset,
            write_slp,
        )

        labels = labels_from_dataset(dataset)
        if context.centroid_output != "instance":
            add_centroids(labels, context.centroid_output)
        write_slp(labels, path, embed=embedded_frames(labels, context.embed),
                  restore_source_videos=context.restore_source_videos,
                  final_path=context.final_path)


@attrs.frozen
class PkgSlpFormat:
    """``.pkg.slp``: a ``.slp`` with the predicted frames' images inside (self-contained)."""

    name: str = "pkg.slp"
    suffix: str = ".pkg.slp"
    description: str = "SLEAP package (.pkg.slp): .slp with the predicted frames embedded"

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        from pose_adapters.slp.store import labels_from_dataset, write_slp

        write_slp(labels_from_dataset(dataset), path, embed="all",
                  restore_source_videos=context.restore_source_videos,
                  final_path=context.final_path)


@attrs.frozen
class AnalysisH5Format:
    """SLEAP's analysis HDF5 (``tracks``, ``track_occupancy``, ``point_scores``...)."""

    name: str = "analysis_h5"
    suffix: str = ".analysis.h5"
    description: str = "SLEAP analysis HDF5 (.analysis.h5), read by h5py, MATLAB and movement"

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        import sleap_io as sio

        from pose_adapters.slp.store import labels_from_dataset

        sio.save_analysis_h5(labels_from_dataset(dataset), path)
