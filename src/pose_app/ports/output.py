"""Writing a prediction run's dataset to its output file."""

from __future__ import annotations

from typing import Protocol

from pose_app.dataset import Dataset


class DatasetWriter(Protocol):
    def write(self, dataset: Dataset, path: str, output_format: str) -> None:
        """Write ``dataset`` to ``path`` atomically (the old file or a complete new one).

        ``output_format``: ``slp`` or ``analysis_h5``.
        """
        ...
