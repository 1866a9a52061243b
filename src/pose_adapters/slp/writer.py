"""The prediction output writer: ``.slp`` or SLEAP analysis HDF5, written atomically."""

from __future__ import annotations

import attrs

from pose_app.dataset import Dataset
from pose_app.options import OutputOptions


class PredictionWriter:
    """:class:`pose_app.ports.output.DatasetWriter` for ``slp`` and ``analysis_h5``."""

    def write(self, dataset: Dataset, path: str, output_format: str) -> None:
        from pose_adapters.slp.store import SlpLabelsStore, save_analysis_h5

        if output_format == "analysis_h5":
            save_analysis_h5(dataset, path)
            return
        SlpLabelsStore().save(dataset, path)


def sibling_output(path: str, output_format: str) -> str:
    """The file of ``output_format`` next to ``path`` (``x.slp`` <-> ``x.analysis.h5``)."""
    base = path
    for suffix in (".analysis.h5", ".slp", ".h5"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base + (".analysis.h5" if output_format == "analysis_h5" else ".slp")


@attrs.frozen
class OutputsWriter:
    """:class:`pose_app.ports.output.DatasetWriter` for every ``--output_format`` of a run:
    the first format to the output path, the others beside it; ``--embed`` (sleap-io's
    ``embed``; ``auto`` only for image folders and ``.pkg.slp`` inputs) and
    ``--centroid-output`` (sleap-io centroids) for the ``.slp``."""

    output: OutputOptions
    centroid_output: str = "instance"

    def write(self, dataset: Dataset, path: str, output_format: str) -> None:
        self.write_all(dataset, path)

    def write_all(self, dataset: Dataset, path: str) -> list[str]:
        """Write each format; returns the paths written."""
        from pose_adapters.slp.store import save_slp_centroids, save_slp_embedded

        output = self.output
        written = []
        for k, fmt in enumerate(output.output_format):
            target = path if k == 0 else sibling_output(path, fmt)
            if fmt == "slp" and self.centroid_output != "instance":
                save_slp_centroids(dataset, target, self.centroid_output)
            elif fmt == "slp" and (output.embed != "false" or output.restore_source_videos):
                save_slp_embedded(dataset, target, embed=output.embed,
                                  restore_source_videos=output.restore_source_videos)
            else:
                PredictionWriter().write(dataset, target, fmt)
            written.append(target)
        return written
