"""The composition root: builds adapters and hands them to the use cases.

Nothing else in the code base instantiates adapters for the use cases; tests build the same
graph with fakes.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from pose_cli.flags import (
    _setup_logging,
    build_inference_options,
    build_selection,
    build_tracking_options,
    check_output_path,
    default_output_path,
    expand_inputs,
    system_info,
)
from pose_domain.errors import InvalidOptionError

__all__ = [
    "build_inference_options",
    "build_selection",
    "build_tracking_options",
    "default_output_path",
    "expand_inputs",
    "system_info",
]

log = logging.getLogger("pose")

















def make_tracker_factory() -> Any:
    def factory(options: Any, max_instances: int | None) -> Any:
        from pose_app.track import build_tracker

        flow = None
        if options.use_flow:
            from pose_adapters.flow import LucasKanadeFlow

            flow = LucasKanadeFlow(img_scale=options.of_img_scale,
                                   window_size=options.of_window_size,
                                   max_levels=options.of_max_levels)
        return build_tracker(options, max_instances=max_instances, flow=flow)

    return factory


CHUNK_FRAMES_ENV = "POSE_CHUNK_FRAMES"
DEFAULT_CHUNK_FRAMES = 100


def chunk_frames_from_env() -> int:
    """Frames per persisted chunk: ``$POSE_CHUNK_FRAMES`` (a positive integer) or 100."""
    raw = os.environ.get(CHUNK_FRAMES_ENV, "").strip()
    if not raw:
        return DEFAULT_CHUNK_FRAMES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidOptionError(
            f"{CHUNK_FRAMES_ENV}={raw!r} is not a positive integer",
            hint=f"unset it or give a number of frames such as {DEFAULT_CHUNK_FRAMES}",
        )
    return value


def build_predict_use_case(progress: Any = None, on_result: Any = None) -> Any:
    """The real object graph for :class:`pose_app.predict.PredictUseCase`."""
    from pose_adapters.models import ModelFolderLoader
    from pose_adapters.slp import SlpLabelsStore
    from pose_adapters.torch.resize import TorchResizer
    from pose_adapters.video import open_video_file
    from pose_app.ports.progress import NullProgress
    from pose_app.predict import PredictUseCase

    return PredictUseCase(
        loader=ModelFolderLoader(),
        resizer=TorchResizer(),
        labels_store=SlpLabelsStore(),
        open_video=open_video_file,
        tracker_factory=make_tracker_factory(),
        progress=progress or NullProgress(),
        system_info=system_info,
        on_result=on_result,
        chunk_size=chunk_frames_from_env(),
    )


def write_output(dataset: Any, path: str, output_format: str) -> None:
    from pose_adapters.slp import SlpLabelsStore

    if output_format == "analysis_h5":
        from pose_adapters.slp.store import save_analysis_h5

        save_analysis_h5(dataset, path)
        return
    SlpLabelsStore().save(dataset, path)


def run_track_command(args: dict[str, Any]) -> int:
    """``pose track``: prediction and/or tracking, per input; SIGTERM / SIGINT stop it cleanly
    (``pose_cli.signals``, ADR-0131)."""
    from pose_cli.signals import stop_on_signals  # [unattended]

    with stop_on_signals() as stop:
        return _run_track_command(args, stop)


def _run_track_command(args: dict[str, Any], stop: Any) -> int:
    _setup_logging()
    from pose_cli.batch import wants_batch

    if wants_batch(args):  # --executor ray / --chunk-frames: the batch path (ADR-0060)
        from pose_cli.batch import run_batch_command

        return run_batch_command(args, stop=stop, build_predict_use_case=build_predict_use_case,
                                 write_output=write_output)
    if not args.get("model_paths") and not args.get("tracking"):
        raise InvalidOptionError(
            "nothing to do: give -m MODEL to predict, or -t to track an existing .slp"
        )
    if not args.get("model_paths"):
        from pose_cli.track_only import run_track_only

        return run_track_only(args)
    from pose_cli.progress import make_progress
    from pose_domain.frames import frame_ranges

    frame_ranges(args["frames"])  # validate early: a malformed --frames fails before loading
    inputs = expand_inputs(list(args["data_path"]))
    if args["output_path"] and len(inputs) > 1:
        raise InvalidOptionError("-o names one file but several inputs were given",
                                 hint="drop -o to write <input>.predictions.slp per input")
    inference = build_inference_options(args)
    tracking = build_tracking_options(args) if args["tracking"] else None
    selection = build_selection(args)
    progress = make_progress(args.get("progress", "rich"))
    from pose_cli.progress import CountingChunks, frame_reporter  # [unattended] ADR-0134

    use_case: Any = None  # [unattended] built once the first output is locked (fails fast)
    models = None
    for n_done, data_path in enumerate(inputs):
        if stop.is_set():  # [unattended] a stop between inputs: the done ones are skipped later
            from pose_cli.signals import Interrupted

            raise Interrupted(stop.signum, f"stopped after {n_done} of {len(inputs)} inputs; "
                              "run the same command without --overwrite to continue "
                              "(finished outputs are skipped)")
        out = args["output_path"] or default_output_path(data_path)
        if args["output_format"] == "analysis_h5" and not args["output_path"]:
            out = out[: -len(".slp")] + ".analysis.h5"
        check_output_path(out)
        if os.path.exists(out) and not args["overwrite"] and len(inputs) > 1:
            log.warning("skipping %s: %s exists (use --overwrite)", data_path, out)
            continue
        from pose_adapters.chunks import NpzChunkStore, partial_dir_for
        from pose_adapters.locks import output_lock

        # [unattended] one writer per output (ADR-0130): locked before pose_app.predict (scipy)
        # and the models are imported, so a second run on the same output ends in ~1 s
        with output_lock(out):
            from pose_app.predict import PredictRequest

            request = PredictRequest(
                data_path=data_path,
                model_paths=tuple(args["model_paths"]),
                inference=inference,
                tracking=tracking,
                selection=selection,
                frames_spec=args["frames"],
                video_dataset=args["video_dataset"],
                video_input_format=args["video_input_format"],
                cli_args={k: v for k, v in args.items() if v is not None},
                resume=args["resume"],
            )
            if use_case is None:
                use_case = build_predict_use_case(progress=progress,
                                                  on_result=frame_reporter(progress))
                if hasattr(use_case, "stop"):  # [unattended] it polls the token (branch pred)
                    use_case.stop = stop
                    stop.cooperative = True
            if models is None:
                models = use_case.load_models(request)
            use_case.chunks = CountingChunks(NpzChunkStore(partial_dir_for(out)), progress)
            result = use_case(request, models=models)
            write_output(result.dataset, out, args["output_format"])
            use_case.chunks.clear()
        fps = result.frames_processed / max(result.seconds, 1e-9)
        resumed = result.dataset.provenance.get("frame_selection", {}).get("frames_resumed", 0)
        note = f", {resumed} resumed from {partial_dir_for(out)}" if resumed else ""
        print(f"pose: wrote {out} ({result.frames_processed} frames, {fps:.1f} FPS{note})",
              file=sys.stderr)
    return 0



def build_evaluate_use_case() -> Any:
    """``pose eval``: the evaluation use case wired to sleap-io loading and the metrics writer."""
    from pose_adapters.metrics_io import pair_videos, save_metrics
    from pose_adapters.slp import SlpLabelsStore
    from pose_app.evaluate import EvaluateUseCase

    return EvaluateUseCase(
        loader=SlpLabelsStore(), pair_videos=pair_videos, write_metrics=save_metrics
    )
