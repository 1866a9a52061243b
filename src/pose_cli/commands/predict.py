"""``pose predict``: sleap-nn 0.3.5's unified ``predict`` (``-i INPUT -m MODEL|EXPORT_DIR``) and
``pose predict EXPORT_DIR INPUT`` (run an export folder).

Every ``pose track`` option applies (ADR-0095), with ``predict``'s defaulting rules for
tracking (parity notes §5.8). In the positional form ``-n`` is ``--n-frames`` (0 = all frames); in
the ``-i``/``-m`` form it is ``--max_instances``, as in sleap-nn (``pose_cli.main`` rewrites the
token). Folders written by ``pose export`` and by ``sleap-nn export`` both run.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import attrs
from cyclopts import Parameter

from pose_app.options import PredictCommandOptions, TrackOptions
from pose_cli.options import cli_type, to_options
from pose_domain.errors import InvalidOptionError, ModelLoadError

if TYPE_CHECKING:
    CliPredictOptions = PredictCommandOptions
else:  # the flags' twin of PredictCommandOptions (what cyclopts parses)
    CliPredictOptions = cli_type(PredictCommandOptions)


def predict(
    export_dir: Annotated[
        str | None, Parameter(help="Export folder (pose export or sleap-nn export).")
    ] = None,
    input_path: Annotated[str | None, Parameter(help="Video or .slp to predict on.")] = None,
    /,
    *,
    data_path: Annotated[
        list[str] | None,
        Parameter(name=["--data_path", "-i"], negative="",
                  help="Video, .slp, image folder or .txt list (sleap-nn predict -i)."),
    ] = None,
    model_paths: Annotated[
        list[str] | None,
        Parameter(name=["--model_paths", "-m"], negative="",
                  help="Model folder(s) or an export folder (sleap-nn predict -m)."),
    ] = None,
    n_frames: Annotated[
        int | None,
        Parameter(name=["--n-frames", "--n_frames"],
                  help="Predict only the first N frames (0 = all; -n in the positional form)."),
    ] = None,
    options: Annotated[CliPredictOptions, Parameter(name="*")] = CliPredictOptions(),  # noqa: B008
) -> int:
    """Predict poses (sleap-nn predict), or run an export folder: EXPORT_DIR INPUT."""
    from pose_cli.run import run_track

    inputs, models = _inputs_and_models(export_dir, input_path, data_path, model_paths)
    opts: TrackOptions = to_options(PredictCommandOptions, options)
    if n_frames is not None and n_frames < 0:
        raise InvalidOptionError("--n-frames must be >= 0 (0 = all frames)")
    if n_frames and not opts.selection.frames:
        opts = attrs.evolve(opts, selection=attrs.evolve(opts.selection,
                                                         frames=f"0-{n_frames - 1}"))
    models, opts = apply_predict_options(models, opts)
    return run_track(inputs, models, opts)


def _inputs_and_models(
    export_dir: str | None, input_path: str | None, data_path: list[str] | None,
    model_paths: list[str] | None,
) -> tuple[list[str], list[str]]:
    positional = [p for p in (export_dir, input_path) if p is not None]
    if data_path:
        if positional:
            raise InvalidOptionError(
                "give the input either with -i or as an argument, not both",
                hint="pose predict -i INPUT -m MODEL, or pose predict EXPORT_DIR INPUT",
            )
        return list(data_path), list(model_paths or [])
    if len(positional) == 2 and not model_paths:
        assert export_dir is not None and input_path is not None
        if not os.path.exists(os.path.join(export_dir, "export_metadata.json")):
            raise ModelLoadError(
                f"{export_dir} is not an export folder (no export_metadata.json)",
                hint="create one with: pose export MODEL -o DIR, or use -i INPUT -m MODEL",
            )
        return [input_path], [export_dir]
    if len(positional) == 1 and model_paths:
        return [positional[0]], list(model_paths)
    raise InvalidOptionError(
        "pose predict needs an input and a model",
        hint="pose predict -i INPUT -m MODEL, or pose predict EXPORT_DIR INPUT",
    )


def apply_predict_options(models: list[str], opts: TrackOptions
                          ) -> tuple[list[str], TrackOptions]:
    """sleap-nn predict's own options: refuse what pose does not do, map the rest.

    Raises:
        InvalidOptionError: remote inputs, centroid outputs other than instances,
            ``--write-interval`` without ``--stream-to-file``.
    """
    p = opts.predict
    if p.headers or p.stream_mode:
        raise InvalidOptionError("remote (URL) inputs are not supported",
                                 hint="download the video and give its local path")
    if p.centroid_output != "instance" and opts.tracking.tracking:
        raise InvalidOptionError(
            f"--centroid-output {p.centroid_output} cannot be combined with tracking",
            hint="drop -t, or use --centroid-output instance",
        )
    if p.write_interval is not None and p.stream_to_file is None:
        raise InvalidOptionError("--write-interval needs --stream-to-file",
                                 hint="drop --write-interval: pose always writes in chunks")
    if p.centroid_only:
        models = _centroid_models(models)
    return models, opts


def _centroid_models(models: list[str]) -> list[str]:
    from pose import bootstrap

    found = [m for m in models if bootstrap.model_type(m) == "centroid"]
    if not found:
        raise InvalidOptionError("--centroid_only needs a centroid model among -m",
                                 hint="add the centroid model folder with -m")
    return found[:1]
