"""What a prediction run is asked to do, and what it gives back."""

from __future__ import annotations

import os
from typing import Any

import attrs

from pose_app.dataset import Dataset
from pose_app.options import FrameSelection, InferenceOptions, TrackingOptions

LABELS_SUFFIXES = (".slp",)


def is_labels_path(path: str) -> bool:
    return str(path).lower().endswith(LABELS_SUFFIXES)


@attrs.frozen(kw_only=True)
class PredictRequest:
    """One input to predict on (and optionally track), and where the result goes.

    Attributes:
        data_path: Video, image folder, HDF5 video or labels file (``.slp``).
        model_paths: One model folder, or two for top-down.
        inference, tracking, selection: The options (``tracking=None``: no tracking).
        frames_spec: ``--frames`` as given (``""``: all).
        video_dataset, video_input_format: How to open HDF5 videos.
        cli_args: The command line, recorded in the provenance.
        resume: Continue from the chunks a previous run with the same fingerprint persisted.
        output_path: Where the use case writes the result (through its writer); with it, the
            finished frames are persisted next to it while the run goes (crash safety,
            ``--resume``). None: nothing is written or persisted.
        output_format: ``slp`` or ``analysis_h5``.
    """

    data_path: str
    model_paths: tuple[str, ...]
    inference: InferenceOptions = attrs.field(factory=InferenceOptions)
    tracking: TrackingOptions | None = None
    selection: FrameSelection = attrs.field(factory=FrameSelection)
    frames_spec: str = ""
    video_dataset: str | None = None
    video_input_format: str = "channels_last"
    cli_args: dict[str, Any] | None = None
    resume: bool = False
    output_path: str | None = None
    output_format: str = "slp"

    def fingerprint(self) -> dict[str, Any]:
        """What must be equal for ``--resume`` to continue a previous run."""
        return {
            "data_path": os.path.abspath(self.data_path),
            "model_paths": [os.path.abspath(p) for p in self.model_paths],
            "inference": attrs.asdict(self.inference),
            "selection": attrs.asdict(self.selection),
            "frames": self.frames_spec,
        }


@attrs.define(eq=False, kw_only=True)
class PredictResult:
    """A finished run.

    Attributes:
        dataset: The predictions (already written to ``output_path`` when one was given).
        frames_processed: Frames decoded and predicted (resumed ones included).
        frames_skipped: ``(video_index, frame_idx)`` of frames that could not be decoded.
        seconds: Wall time of the run.
        model_type: The pipeline (``single_instance``, ``top_down``...).
        output_path: Where the dataset was written (None: not written).
    """

    dataset: Dataset
    frames_processed: int
    frames_skipped: list[tuple[int, int]]
    seconds: float
    model_type: str
    output_path: str | None = None
