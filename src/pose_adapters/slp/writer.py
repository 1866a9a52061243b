"""The prediction output writer: ``.slp`` or SLEAP analysis HDF5, written atomically."""

from __future__ import annotations

from pose_app.dataset import Dataset


class PredictionWriter:
    """:class:`pose_app.ports.output.DatasetWriter` for ``slp`` and ``analysis_h5``."""

    def write(self, dataset: Dataset, path: str, output_format: str) -> None:
        from pose_adapters.slp.store import SlpLabelsStore, save_analysis_h5

        if output_format == "analysis_h5":
            save_analysis_h5(dataset, path)
            return
        SlpLabelsStore().save(dataset, path)
