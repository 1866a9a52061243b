"""Planning of ``pose track --executor ray`` / ``--chunk-frames`` runs (ADR-0060..0062).

Planning on the typed options: which inputs, which chunks, which fingerprint. What it must
know about an input (a video's frame count, the frames of a ``.slp``) comes through the
:class:`~pose_app.ports.inspect.InputInspector` port. The driver and the worker that use these
plans are in :mod:`pose_app.runs.batch`.
"""

from __future__ import annotations

import logging
import os

import attrs

from pose_app.batch import BatchInput, plan_chunks, settings_fingerprint
from pose_app.options import EXECUTION, TrackingOptions, TrackOptions, option_fields
from pose_app.ports.executor import Chunk
from pose_app.ports.inspect import InputInspector
from pose_domain.errors import InvalidOptionError, UnsupportedInputError

log = logging.getLogger("pose")


def chunk_overlap(options: TrackOptions) -> int:
    """Warm-up frames per chunk: twice the tracker window, at least 10 (0 without tracking)."""
    if not options.tracking.tracking:
        return 0
    return max(2 * options.tracking.tracking_window_size, 10)


def frames_text(indices: list[int]) -> str:
    """Sorted frame indices -> ``--frames`` text (``0-4,9``)."""
    parts: list[str] = []
    i = 0
    while i < len(indices):
        j = i
        while j + 1 < len(indices) and indices[j + 1] == indices[j] + 1:
            j += 1
        parts.append(str(indices[i]) if i == j else f"{indices[i]}-{indices[j]}")
        i = j + 1
    return ",".join(parts)


def selected_frames(options: TrackOptions, path: str, track_only: bool,
                    inspector: InputInspector) -> tuple[list[int], int]:
    """The frame indices an input will process (for chunking and the progress total)."""
    from pose_domain.frames import parse_frames, resolve_frames

    spec = options.selection.frames
    if track_only or path.lower().endswith(".slp"):
        present, n_videos = inspector.labeled_frames(path, options.selection.video_index)
        wanted = parse_frames(spec)
        if wanted is not None:
            keep = set(wanted)
            present = [i for i in present if i in keep]
        return present, n_videos
    n_frames = inspector.n_frames(path, dataset=options.input.video_dataset,
                                  input_format=options.input.video_input_format)
    inside, _ = resolve_frames(spec, n_frames)
    return inside, 1


def part_path(output_path: str, chunk: Chunk) -> str:
    """Where chunk ``start-stop`` of ``output_path`` is written before the merge."""
    return os.path.join(output_path + ".chunks", f"{chunk.start:09d}-{chunk.stop:09d}.slp")


def remove_part(path: str) -> None:
    """Delete a chunk output (and its folder once empty)."""
    if os.path.exists(path):
        os.unlink(path)
    folder = os.path.dirname(path)
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)


def check_batch_options(options: TrackOptions) -> None:
    """Refuse combinations the batch path cannot run."""
    if not options.run.chunk_frames:
        return
    if options.tracking.tracking and options.tracking.tracker == "global":
        raise InvalidOptionError(
            "--chunk-frames cannot split the offline global tracker (it needs whole videos)",
            hint="use --tracker online, or drop --chunk-frames",
        )
    if "analysis_h5" in options.output.output_format:
        raise InvalidOptionError("--chunk-frames writes .slp outputs only",
                                 hint="drop --output_format analysis_h5 or --chunk-frames")


def plan_input(options: TrackOptions, path: str, output: str, track_only: bool,
               inspector: InputInspector) -> BatchInput:
    """:class:`pose_app.batch.BatchInput` for one input (chunks when asked)."""
    chunk_frames = options.run.chunk_frames
    if track_only and not path.lower().endswith(".slp"):
        raise UnsupportedInputError(
            f"track-only mode needs a .slp file, got {path}",
            hint="give -m MODEL to predict on a video, or pass a .slp to re-track",
        )
    chunkable = bool(chunk_frames) and (track_only or not path.lower().endswith(".slp"))
    try:
        indices, n_videos = selected_frames(options, path, track_only, inspector)
    except Exception:  # the input's own job reports why, in the manifest
        indices, n_videos = [], 1
    chunks: tuple[Chunk, ...] = ()
    if chunkable and indices:
        if n_videos > 1 and options.selection.video_index is None:
            raise InvalidOptionError(
                f"--chunk-frames splits one video, but {path} holds {n_videos}",
                hint="add --video_index N",
            )
        chunks = tuple(plan_chunks(indices[0], indices[-1] + 1, int(chunk_frames or 0),
                                   chunk_overlap(options)))
        if len(chunks) == 1:
            chunks = ()
    elif chunk_frames and not chunkable:
        log.warning("--chunk-frames: %s is predicted whole (labels inputs are not split)", path)
    return BatchInput(input_path=path, output_path=output, chunks=chunks, frames=len(indices))


def fingerprint_of(options: TrackOptions, model_paths: list[str]) -> str:
    """What must be equal for a rerun to count earlier outputs as done."""
    skip = {f.name for f in option_fields(TrackOptions) if f.metadata.get(EXECUTION)}
    flags = {k: v for k, v in options.flags().items() if k not in skip}
    return settings_fingerprint({**flags, "model_paths": list(model_paths)})


def chunk_indices(options: TrackOptions, chunk: Chunk | None) -> list[int] | None:
    """The frames one chunk processes (None: the job is a whole input)."""
    if chunk is None:
        return None
    from pose_domain.frames import parse_frames

    rng = range(chunk.first, chunk.stop)
    wanted = parse_frames(options.selection.frames)
    if wanted is None:
        return list(rng)
    keep = set(wanted)
    return [i for i in rng if i in keep]


def chunk_tracking_options(options: TrackOptions, track_only: bool) -> TrackingOptions:
    """Tracking options for one chunk: whole-video post-processing moves to the merge."""
    opts = options.tracking
    max_tracks = opts.max_tracks
    if opts.post_connect_single_breaks and max_tracks is None and track_only:
        max_tracks = options.inference.max_instances  # keep track-only's defaulting (ADR-0062)
    return attrs.evolve(opts, post_connect_single_breaks=False, tracking_clean_instance_count=0,
                        max_tracks=max_tracks)


def manifest_path(inputs: list[BatchInput]) -> str:
    """``pose-manifest.json`` in the folder of the first output (ADR-0061)."""
    from pose_app.batch import MANIFEST_NAME

    return os.path.join(os.path.dirname(inputs[0].output_path), MANIFEST_NAME)
