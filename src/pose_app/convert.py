"""ConvertUseCase: an existing labels file (``.slp``) rewritten in any registered format."""

from __future__ import annotations

import attrs

from pose_app.formats import FormatRegistry
from pose_app.ports.labels import LabelsStore
from pose_app.ports.output import DatasetWriter


@attrs.frozen(kw_only=True)
class ConvertResult:
    output_path: str
    output_format: str
    n_frames: int


@attrs.frozen(kw_only=True)
class ConvertUseCase:
    """Load ``input_path`` through the labels store; write it through the format writer.

    Attributes:
        labels_store: Reads the input.
        writer: Writes one format atomically (the format each call names).
        registry: Knows the formats (the one named, or the one of the output's suffix).
    """

    labels_store: LabelsStore
    writer: DatasetWriter
    registry: FormatRegistry

    def __call__(self, input_path: str, output_path: str,
                 output_format: str | None = None) -> ConvertResult:
        """Write ``input_path`` to ``output_path`` (as given) in ``output_format``, or in the
        format its suffix names."""
        name = output_format or self.registry.format_of(output_path)
        self.registry.output(name)  # an unknown name fails before the input is read
        dataset = self.labels_store.load(input_path)
        self.writer.write(dataset, output_path, name)
        return ConvertResult(output_path=output_path, output_format=name,
                             n_frames=len(dataset.frames))
