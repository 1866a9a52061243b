"""File formats as ports: an output format writes a dataset, an input kind recognises and
checks an ``-i`` value (ADR-0170). Adapters live in ``pose_adapters.formats`` and in any
installed package that registers them under the ``pose.output_formats`` /
``pose.input_kinds`` entry points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from pose_app.dataset import Dataset



@attrs.frozen(kw_only=True)
class WriteContext:
    """What a run asks of its outputs beyond the dataset itself.

    Attributes:
        embed: ``--embed`` (``true``, ``auto``, ``false``), for formats that can hold images.
        restore_source_videos: Point the output at the source videos of a ``.pkg.slp`` input.
        centroid_output: ``--centroid-output`` (``instance``, ``centroid``, ``both``).
        final_path: Where the file lands after its atomic rename (a format writes a
            temporary path; one that records its own name, such as an embedded ``.slp``,
            records this one).
    """

    embed: str = "false"
    restore_source_videos: bool = False
    centroid_output: str = "instance"
    final_path: str | None = None


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
