"""File formats from Python: what this environment can write and read, saving predictions in
any of them, and converting ``.slp`` files (the same registry and writer as the CLI)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any


def output_formats() -> dict[str, str]:
    """``{name: description}`` of every output format (pose's own and installed plug-ins')."""
    from pose.bootstrap import format_registry

    return {f.name: f.description for f in format_registry().outputs}


def input_kinds() -> dict[str, str]:
    """``{name: description}`` of every kind of input ``predict`` accepts."""
    from pose.bootstrap import format_registry

    return {k.name: k.description for k in format_registry().inputs}


def save(labels: Any, path: str | os.PathLike[str],
         output_format: str | Sequence[str] | None = None) -> list[str]:
    """Write ``labels`` (a ``sio.Labels``) in one or several formats, atomically.

    Args:
        path: The output; renamed for the first format as ``pose track -o`` is (``W.slp`` with
            ``analysis_h5`` writes ``W.analysis.h5``); the other formats are written beside it.
        output_format: A name or names from :func:`output_formats` (default: from the suffix).

    Returns:
        The paths written.
    """
    from pose import bootstrap
    from pose_adapters.slp.store import dataset_from_labels
    from pose_app.options import OutputOptions

    path = os.fspath(path)
    if output_format is None:
        formats = [bootstrap.format_registry().format_of(path)]
    else:
        formats = [output_format] if isinstance(output_format, str) else list(output_format)
    bootstrap.check_outputs(formats)
    target = bootstrap.output_path(path, formats[0])
    with bootstrap.output_lock(target):
        return bootstrap.write_outputs(dataset_from_labels(labels), target,
                                       OutputOptions(output_format=formats))


def convert(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str],
            output_format: str | None = None) -> str:
    """``pose convert``: write the ``.slp`` ``input_path`` to ``output_path`` (as given) in
    ``output_format`` (default: the format ``output_path``'s suffix names). Returns the path."""
    from pose import bootstrap

    out = os.fspath(output_path)
    with bootstrap.output_lock(out):
        return bootstrap.build_convert_use_case()(os.fspath(input_path), out,
                                                  output_format).output_path
