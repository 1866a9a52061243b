"""What every input of one ``pose track`` call shares: models, options, requests, outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from pose_app.options import TrackingOptions, TrackOptions
from pose_domain.errors import InvalidOptionError

if TYPE_CHECKING:  # imported when used: a second run on a locked output ends before scipy loads
    from pose_app.predict import PredictRequest
    from pose_app.track import TrackOnlyRequest


@attrs.frozen(kw_only=True)
class TrackJob:
    """What every job of one ``pose track`` call shares (shipped to Ray workers as is)."""

    model_paths: tuple[str, ...]
    options: TrackOptions

    @property
    def track_only(self) -> bool:
        return not self.model_paths

    def check(self) -> None:
        """Refuse a call with nothing to do or a malformed ``--frames``, before any loading."""
        from pose_domain.frames import frame_ranges

        if not self.model_paths and not self.options.tracking.tracking:
            raise InvalidOptionError(
                "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
            )
        frame_ranges(self.options.selection.frames)

    def cli_args(self, data_paths: list[str] | str) -> dict[str, Any]:
        """The flags as the provenance records them."""
        flags = {k: v for k, v in self.options.flags().items() if v is not None}
        paths = [data_paths] if isinstance(data_paths, str) else list(data_paths)
        return {"data_path": paths, "model_paths": list(self.model_paths), **flags}

    def output(self, data_path: str) -> str:
        """Where one input's result goes."""
        out = self.options.output
        return output_for(data_path, out.output_path, out.primary_format, self.track_only)

    def predict_request(self, data_path: str, output: str, output_format: str,
                        frames: str | None = None,
                        tracking: TrackingOptions | None = None) -> PredictRequest:
        from pose_app.predict import PredictRequest

        o = self.options
        return PredictRequest(
            data_path=data_path,
            model_paths=self.model_paths,
            inference=o.inference,
            tracking=tracking if tracking is not None else o.tracking_or_none(),
            selection=o.selection,
            frames_spec=o.selection.frames if frames is None else frames,
            video_dataset=o.input.video_dataset,
            video_input_format=o.input.video_input_format,
            cli_args=self.cli_args(data_path),
            resume=o.run.resume,
            output_path=output,
            output_format=output_format,
        )

    def track_only_request(self, data_path: str, output: str | None,
                           frames: tuple[int, ...] | None,
                           tracking: TrackingOptions | None = None) -> TrackOnlyRequest:
        from pose_app.track import TrackOnlyRequest

        o = self.options
        return TrackOnlyRequest(
            input_path=data_path, output_path=output,
            tracking=tracking if tracking is not None else o.tracking,
            frames=frames, video_index=o.selection.video_index,
            max_instances=o.inference.max_instances, inference=o.inference,
            cli_args=self.cli_args(data_path),
        )


def output_for(data_path: str, output_path: str | None, output_format: str,
               track_only: bool) -> str:
    """``-o`` as given, else ``<input without suffix>.predictions.slp`` (the reference's rule;
    ``.analysis.h5`` when that is the first ``--output_format`` of a prediction)."""
    from pose_app.outputs import default_output_path

    if output_path:
        return output_path
    out = default_output_path(data_path)
    if output_format == "analysis_h5" and not track_only:
        out = out[: -len(".slp")] + ".analysis.h5"
    return out


def track_only_frames(spec: str) -> tuple[int, ...] | None:
    """``--frames`` of track-only mode: indices, without open ranges."""
    from pose_domain.frames import OPEN_END, parse_frames

    parsed = parse_frames(spec)
    if parsed is None:
        return None
    if OPEN_END in parsed:
        raise InvalidOptionError(
            "--frames: open ranges ('a-') are not supported in track-only mode",
            hint="give the last frame index, e.g. 100-1499",
        )
    return tuple(parsed)
