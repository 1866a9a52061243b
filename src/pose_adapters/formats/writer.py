"""Writing a dataset in every format a run asks for, each file atomically (ADR-0132)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from pose_adapters._files import write_atomic
from pose_app.formats import FormatRegistry, OutputFormat, WriteContext
from pose_domain.errors import MissingExtraError, OutputWriteError, PoseError

if TYPE_CHECKING:
    from pose_app.dataset import Dataset


def check_available(registry: FormatRegistry, names: Iterable[str]) -> None:
    """Fail before any model loads when a format is unknown or its library is missing."""
    import importlib.util

    for name in names:
        fmt = registry.output(name)
        for module in getattr(fmt, "requires", ()):
            if importlib.util.find_spec(module) is None:
                raise MissingExtraError(module, getattr(fmt, "extra", name),
                                        f"--output_format {name}")


def write_format(fmt: OutputFormat, dataset: Dataset, path: str, context: WriteContext) -> None:
    """Write ``dataset`` to ``path`` in ``fmt`` through a temporary file renamed into place
    (the old file or a complete new one, never a torn one); a format's own failure becomes one
    line naming the file and the format."""

    named = attrs.evolve(context, final_path=path)

    def write(tmp: str) -> None:
        try:
            fmt.write(dataset, tmp, named)
        except (PoseError, OSError):
            raise
        except Exception as exc:
            raise OutputWriteError(
                f"cannot write {path} as {fmt.name}: {type(exc).__name__}: {exc}"
            ) from exc

    write_atomic(path, fmt.suffix, write)


@attrs.frozen
class FormatsWriter:
    """:class:`pose_app.ports.output.DatasetWriter` over the format registry: the first of
    ``formats`` to the output path, the others named after it (``W.slp`` and
    ``W.analysis.h5``); without ``formats``, the one format each call names.

    Attributes:
        registry: The formats of this environment.
        formats: Every ``--output_format`` of the run (empty: the call's ``output_format``).
        context: ``--embed``, ``--restore_source_videos``, ``--centroid-output``.
    """

    registry: FormatRegistry
    formats: tuple[str, ...] = ()
    context: WriteContext = attrs.field(factory=WriteContext)

    def write(self, dataset: Dataset, path: str, output_format: str) -> None:
        self.write_all(dataset, path, output_format)

    def write_all(self, dataset: Dataset, path: str,
                  output_format: str | None = None) -> list[str]:
        """Write each format; returns the paths written (the first is ``path``)."""
        names = self.formats or ((output_format,) if output_format else ("slp",))
        written = []
        for k, name in enumerate(names):
            target = path if k == 0 else self.registry.output_path(path, name)
            write_format(self.registry.output(name), dataset, target, self.context)
            written.append(target)
        return written
