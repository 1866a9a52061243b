"""File formats as adapters: the registry of output formats and input kinds, the rule that
names each format's file, and the input extensions, declared once (ADR-0170).

An output format is any object with ``name``, ``suffix``, ``description`` and
``write(dataset, path, context)``; it writes to the temporary ``path`` it is given and pose
renames that file into place (atomic, under the output's lock, after a resumable run). An input
kind recognises a path and checks it before any model loads. The registry is built once, in
the composition root, from the built-in adapters and the ``pose.output_formats`` /
``pose.input_kinds`` entry points of installed packages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import attrs

from pose_app.ports.formats import InputKind, OutputFormat, WriteContext
from pose_domain.errors import InvalidOptionError

__all__ = ["FormatRegistry", "InputKind", "OutputFormat", "WriteContext", "format_path"]

#: Container formats read through the media (ffmpeg) backend.
MEDIA_EXTENSIONS = frozenset({".mp4", ".avi", ".mov", ".mkv", ".mpg", ".mpeg", ".webm", ".m4v",
                              ".wmv"})
#: Videos stored as HDF5 datasets.
HDF5_VIDEO_EXTENSIONS = frozenset({".h5", ".hdf5"})
#: SLEAP labels (predicted on, or re-tracked).
LABELS_EXTENSIONS = frozenset({".slp"})
#: Images of an image-folder input (one frame each).
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
#: What a folder given to ``-i`` expands to.
INPUT_EXTENSIONS = MEDIA_EXTENSIONS | HDF5_VIDEO_EXTENSIONS | LABELS_EXTENSIONS

#: Entry-point groups where other installed packages register formats.
OUTPUT_FORMATS_GROUP = "pose.output_formats"
INPUT_KINDS_GROUP = "pose.input_kinds"


def format_path(path: str, suffix: str, known_suffixes: Iterable[str] = ()) -> str:
    """The file of a format whose files end in ``suffix``, named after ``path`` (``-o`` or
    the default output), as sleap-nn names its analysis files: ``path`` itself when it already
    ends in ``suffix``; else ``path`` without ``.predictions.slp``, a known format suffix or
    its last suffix, plus ``suffix`` (``W.slp`` -> ``W.analysis.h5``). A ``.slp`` goes to
    ``path`` as given unless ``path`` names another format's file."""
    low = path.lower()
    if low.endswith(suffix.lower()):
        return path
    strip = sorted((".predictions.slp", *known_suffixes), key=len, reverse=True)
    for s in strip:
        if low.endswith(s.lower()):
            return path[: -len(s)] + suffix
    if suffix == ".slp":
        return path  # as sleap-nn, the .slp goes to -o as given
    root, ext = os.path.splitext(path)
    return (root if ext and os.path.basename(root) else path) + suffix


@attrs.frozen
class FormatRegistry:
    """Every output format and input kind pose knows in this environment, in one place."""

    outputs: tuple[OutputFormat, ...]
    inputs: tuple[InputKind, ...] = ()

    def output_names(self) -> list[str]:
        return [f.name for f in self.outputs]

    def output(self, name: str) -> OutputFormat:
        """The format called ``name``; one line naming the choices when there is none."""
        for f in self.outputs:
            if f.name == name:
                return f
        raise InvalidOptionError(
            f"--output_format must be one of {', '.join(self.output_names())}, got '{name}'"
        )

    def check_outputs(self, names: Iterable[str]) -> None:
        for name in names:
            self.output(name)

    def output_path(self, path: str, name: str) -> str:
        """Where format ``name`` is written for the output ``path`` (:func:`format_path`)."""
        return format_path(path, self.output(name).suffix, [f.suffix for f in self.outputs])

    def format_of(self, path: str) -> str:
        """The format whose suffix ``path`` ends in (the longest match); one line when none
        or several equally long do."""
        low = path.lower()
        hits = [f for f in self.outputs if low.endswith(f.suffix.lower())]
        best = [f for f in hits if len(f.suffix) == max((len(h.suffix) for h in hits), default=0)]
        if len(best) != 1:
            known = ", ".join(f"{f.suffix} ({f.name})" for f in self.outputs)
            raise InvalidOptionError(
                f"cannot tell the format of {path} from its name",
                hint=f"name it with --format, or end the file in one of: {known}",
            )
        return best[0].name

    def input_kind(self, path: str) -> InputKind | None:
        """The first input kind that recognises ``path`` (None: none does)."""
        for kind in self.inputs:
            if kind.recognises(path):
                return kind
        return None
