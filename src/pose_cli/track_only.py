"""``pose track -i labels.slp -t`` without ``-m``: re-track the instances of a ``.slp``."""

from __future__ import annotations

from typing import Any

from pose_domain.errors import InvalidOptionError


def _frames(spec: str | None) -> tuple[int, ...] | None:
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


def _versions() -> dict[str, str]:
    """Library versions for the provenance (without importing torch: tracking needs none)."""
    import sleap_io

    from pose_cli import __version__

    return {"pose_version": __version__, "sleap_io_version": str(sleap_io.__version__)}


def run_track_only(args: dict[str, Any]) -> int:
    """Run track-only mode for every ``-i`` input; ``args`` holds all ``pose track`` flags.

    Returns:
        0 on success (errors are raised as ``PoseError`` and mapped by ``pose_cli.main``).
    """
    from pose_adapters.flow import LucasKanadeFlow
    from pose_adapters.locks import FileOutputLocks
    from pose_adapters.slp import SlpLabelsStore
    from pose_app.track import TrackOnlyRequest, TrackOnlyUseCase
    from pose_cli.flags import (
        build_inference_options,
        build_tracking_options,
        expand_inputs,
    )
    from pose_cli.progress import make_progress

    if not args.get("tracking"):
        raise InvalidOptionError(
            "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
        )
    inputs = expand_inputs(list(args["data_path"]))
    if args.get("output_path") and len(inputs) > 1:
        raise InvalidOptionError(
            "-o names one file but several inputs were given", hint="drop -o or give one -i"
        )
    tracking = build_tracking_options(args)
    inference = build_inference_options(args)
    frames = _frames(args.get("frames"))
    versions = _versions()

    def flow_factory(opts: Any) -> LucasKanadeFlow:
        return LucasKanadeFlow(
            img_scale=opts.of_img_scale,
            window_size=opts.of_window_size,
            max_levels=opts.of_max_levels,
        )

    use_case = TrackOnlyUseCase(
        store=SlpLabelsStore(),
        flow_factory=flow_factory,
        progress=make_progress(args.get("progress", "rich")),
        versions=versions,
        locks=FileOutputLocks(),  # [unattended] one writer per output (ADR-0130)
    )
    cli_args = {k: v for k, v in args.items() if isinstance(v, (str, int, float, bool, list))}
    for path in inputs:
        use_case(
            TrackOnlyRequest(
                input_path=path,
                output_path=args.get("output_path"),
                tracking=tracking,
                frames=frames,
                video_index=args.get("video_index"),
                max_instances=args.get("max_instances"),
                inference=inference,
                cli_args=cli_args,
            )
        )
    return 0
