"""File formats as adapters: what an output format or an input kind provides, the registry
that lists them, and the rule that names each format's file (ADR-0170).

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
from typing import Protocol, runtime_checkable

import attrs

from pose_app.dataset import Dataset
from pose_domain.errors import InvalidOptionError

#: Entry-point groups where other installed packages register formats.
OUTPUT_FORMATS_GROUP = "pose.output_formats"
INPUT_KINDS_GROUP = "pose.input_kinds"


@attrs.frozen(kw_only=True)
class WriteContext:
    """What a run asks of its outputs beyond the dataset itself.

    Attributes:
        embed: ``--embed`` (``true``, ``auto``, ``false``), for formats that can hold images.
        restore_source_videos: Point the output at the source videos of a ``.pkg.slp`` input.
        centroid_output: ``--centroid-output`` (``instance``, ``centroid``, ``both``).
    """

    embed: str = "false"
    restore_source_videos: bool = False
    centroid_output: str = "instance"


@runtime_checkable
class OutputFormat(Protocol):
    """One output format (``--output_format NAME``). Optional members: ``requires`` (modules
    checked before a run) and ``extra`` (the pip extra that installs them)."""

    @property
    def name(self) -> str:
        """The ``--output_format`` value."""
        ...

    @property
    def suffix(self) -> str:
        """How its files end (``.analysis.h5``); ``-o`` is renamed to end so."""
        ...

    @property
    def description(self) -> str:
        """One line for ``--help`` and ``pose system``."""
        ...

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        """Write ``dataset`` to ``path`` (a temporary file that pose renames into place)."""
        ...


@runtime_checkable
class InputKind(Protocol):
    """One kind of input (``-i``): how it is recognised and checked before models load."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def recognises(self, path: str) -> bool:
        """Whether ``path`` is of this kind (cheap: name, folder, first bytes)."""
        ...

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        """Raise one domain error (one line) when ``path`` cannot be read as this kind."""
        ...


def format_path(path: str, suffix: str, known_suffixes: Iterable[str] = ()) -> str:
    """The file of a format whose files end in ``suffix``, named after ``path`` (``-o`` or
    the default output), as sleap-nn names its analysis files: ``path`` itself when it already
    ends in ``suffix``; else ``path`` without ``.predictions.slp``, a known format suffix or
    its last suffix, plus ``suffix`` (``W.slp`` -> ``W.analysis.h5``)."""
    low = path.lower()
    if low.endswith(suffix.lower()):
        return path
    strip = sorted((".predictions.slp", *known_suffixes), key=len, reverse=True)
    for s in strip:
        if low.endswith(s.lower()):
            return path[: -len(s)] + suffix
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
