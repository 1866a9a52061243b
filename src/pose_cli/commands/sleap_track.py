"""``pose sleap-track``: SLEAP 1.x ``sleap-track`` command lines, mapped onto ``pose track``.

Spellings accepted (seed 004): the input as a positional argument, ``-m`` repeated,
``--video.dataset``, ``--video.input_format``, ``--video.index``, ``--frames``, ``-o``,
``--tracking.tracker simple|flow|none`` (and the ``*maxtracks`` variants with
``--tracking.max_tracks``), ``--tracking.similarity``, ``--tracking.match``,
``--tracking.track_window``, ``--tracking.target_instance_count``,
``--tracking.post_connect_single_breaks``, ``--tracking.clean_instance_count``,
``--tracking.clean_iou_threshold``, ``--max_instances``, ``--batch_size``,
``--peak_threshold``, ``--gpu``/``--cpu`` and the frame filters. Similarities map to the
nearest sleap-nn features/scoring: instance, normalized_instance and object_keypoint ->
keypoints + OKS; centroid -> centroids + euclidean distance; iou -> bboxes + IoU.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from cyclopts import Parameter

from pose_app.options import DEFAULT_BATCH_SIZE
from pose_domain.defaults import DEFAULT_PEAK_THRESHOLD, DEFAULT_TRACKING_WINDOW_SIZE
from pose_domain.errors import InvalidOptionError

_SIMILARITY = {
    "instance": ("keypoints", "oks"),
    "normalized_instance": ("keypoints", "oks"),
    "object_keypoint": ("keypoints", "oks"),
    "centroid": ("centroids", "euclidean_dist"),
    "iou": ("bboxes", "iou"),
}
TrackerName = Literal["simple", "flow", "simplemaxtracks", "flowmaxtracks", "none", "None"]


def _p(*names: str, help: str) -> Parameter:
    return Parameter(name=list(names), help=help)


def sleap_track(
    data_path: Annotated[str, Parameter(help="Video or .slp (SLEAP 1.x positional input).")],
    /,
    *,
    model: Annotated[list[str] | None, Parameter(name=["--model", "-m"], negative="",
                                                 help="Model folder; repeat for top-down.")] = None,
    output: Annotated[str | None, _p("--output", "-o", help="Output .slp.")] = None,
    frames: Annotated[str, _p("--frames", help="e.g. 123-456 or 1,3-5 (inclusive).")] = "",
    video_dataset: Annotated[str | None, _p("--video.dataset",
                                            help="HDF5 dataset of the frames.")] = None,
    video_input_format: Annotated[
        Literal["channels_last", "channels_first"],
        _p("--video.input_format", help="Axis order of an HDF5 video."),
    ] = "channels_last",
    video_index: Annotated[int | None, _p("--video.index", help="Video of a .slp input.")] = None,
    tracker: Annotated[TrackerName | None, _p("--tracking.tracker",
                                              help="simple, flow or none.")] = None,
    similarity: Annotated[
        Literal["instance", "normalized_instance", "object_keypoint", "centroid", "iou"],
        _p("--tracking.similarity", help="Mapped to sleap-nn features + scoring."),
    ] = "instance",
    match: Annotated[Literal["greedy", "hungarian"],
                     _p("--tracking.match", help="Assignment method.")] = "greedy",
    track_window: Annotated[
        int, _p("--tracking.track_window", help="Candidate frames.")
    ] = DEFAULT_TRACKING_WINDOW_SIZE,
    max_tracks: Annotated[int | None, _p("--tracking.max_tracks", help="Track cap.")] = None,
    target_instance_count: Annotated[
        int | None, _p("--tracking.target_instance_count", help="Animals per frame.")
    ] = None,
    post_connect_single_breaks: Annotated[
        int, _p("--tracking.post_connect_single_breaks", help="1 = join single breaks.")
    ] = 0,
    clean_instance_count: Annotated[
        int, _p("--tracking.clean_instance_count", help="Cull to N per frame (0 = off).")
    ] = 0,
    clean_iou_threshold: Annotated[
        float, _p("--tracking.clean_iou_threshold", help="Culling NMS threshold.")
    ] = 0.0,
    max_instances: Annotated[int | None, _p("--max_instances", "-n", help="Cap per frame.")] = None,
    batch_size: Annotated[int, _p("--batch_size", help="Frames per batch.")] = DEFAULT_BATCH_SIZE,
    peak_threshold: Annotated[
        float, _p("--peak_threshold", help="Peak threshold.")
    ] = DEFAULT_PEAK_THRESHOLD,
    gpu: Annotated[str | None, _p("--gpu", help="GPU index, or auto.")] = None,
    cpu: Annotated[bool, Parameter(name="--cpu", negative="", help="Run on the CPU.")] = False,
    only_labeled_frames: Annotated[bool, Parameter(name="--only-labeled-frames", negative="",
                                                   help="Only labeled frames.")] = False,
    only_suggested_frames: Annotated[bool, Parameter(name="--only-suggested-frames",
                                                     negative="",
                                                     help="Only suggested frames.")] = False,
    no_empty_frames: Annotated[bool, Parameter(name="--no-empty-frames", negative="",
                                               help="Drop empty frames.")] = False,
    verbosity: Annotated[
        Literal["rich", "json", "none"] | None,
        _p("--verbosity", help="Progress: rich (a bar), json (JSON lines) or none."),
    ] = None,
) -> int:
    """Run a SLEAP 1.x sleap-track command line with pose."""
    from pose_app.options import TrackOptions
    from pose_cli.run import run_track

    flags = sleap_track_flags(
        output=output, frames=frames, video_dataset=video_dataset,
        video_input_format=video_input_format, video_index=video_index, tracker=tracker,
        similarity=similarity, match=match, track_window=track_window, max_tracks=max_tracks,
        target_instance_count=target_instance_count,
        post_connect_single_breaks=post_connect_single_breaks,
        clean_instance_count=clean_instance_count, clean_iou_threshold=clean_iou_threshold,
        max_instances=max_instances, batch_size=batch_size, peak_threshold=peak_threshold,
        gpu=gpu, cpu=cpu, only_labeled_frames=only_labeled_frames,
        only_suggested_frames=only_suggested_frames, no_empty_frames=no_empty_frames,
        verbosity=verbosity,
    )
    return run_track([data_path], list(model or []), TrackOptions.from_flags(flags))


def sleap_track_flags(**kw: Any) -> dict[str, Any]:
    """SLEAP 1.x option values -> ``pose track`` flag names and values."""
    tracker = kw["tracker"]
    tracking = tracker not in (None, "none", "None")
    features, scoring = _SIMILARITY[kw["similarity"]]
    device = "cpu" if kw["cpu"] else ("auto" if kw["gpu"] in (None, "auto") else
                                      f"cuda:{kw['gpu']}")
    if tracker in ("simplemaxtracks", "flowmaxtracks") and kw["max_tracks"] is None:
        raise InvalidOptionError(f"--tracking.tracker {tracker} needs --tracking.max_tracks")
    flags: dict[str, Any] = {
        "output_path": kw["output"], "frames": kw["frames"],
        "video_dataset": kw["video_dataset"], "video_input_format": kw["video_input_format"],
        "video_index": kw["video_index"], "max_instances": kw["max_instances"],
        "batch_size": kw["batch_size"], "peak_threshold": kw["peak_threshold"],
        "device": device, "only_labeled_frames": kw["only_labeled_frames"],
        "only_suggested_frames": kw["only_suggested_frames"],
        "no_empty_frames": kw["no_empty_frames"], "tracking": tracking,
    }
    if kw.get("verbosity") is not None:
        flags["progress"] = kw["verbosity"]
    if tracking:
        flags.update(
            use_flow=str(tracker).startswith("flow"), features=features,
            scoring_method=scoring, track_matching_method=kw["match"],
            tracking_window_size=kw["track_window"], max_tracks=kw["max_tracks"],
            tracking_target_instance_count=kw["target_instance_count"],
            post_connect_single_breaks=bool(kw["post_connect_single_breaks"]),
            tracking_clean_instance_count=kw["clean_instance_count"],
            tracking_clean_iou_threshold=kw["clean_iou_threshold"],
        )
    return flags
