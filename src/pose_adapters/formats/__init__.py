"""The format registry's contents: pose's own output formats and input kinds, plus those other
installed packages register under the ``pose.output_formats`` / ``pose.input_kinds`` entry
points (ADR-0170). Nothing heavy is imported here: each adapter imports its library when it
writes or opens.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from pose_adapters.formats.dlc import DlcCsvFormat, DlcH5Format
from pose_adapters.formats.inputs import BUILTIN_INPUT_KINDS
from pose_adapters.formats.nwb import NwbFormat
from pose_adapters.formats.sleap import AnalysisH5Format, PkgSlpFormat, SlpFormat
from pose_adapters.formats.writer import FormatsWriter, check_available
from pose_app.formats import (
    INPUT_KINDS_GROUP,
    OUTPUT_FORMATS_GROUP,
    FormatRegistry,
    InputKind,
    OutputFormat,
)

log = logging.getLogger("pose")

#: pose's own output formats, in the order ``--help`` lists them (``slp`` is the default).
BUILTIN_OUTPUT_FORMATS: tuple[OutputFormat, ...] = (
    SlpFormat(), PkgSlpFormat(), AnalysisH5Format(), NwbFormat(), DlcH5Format(), DlcCsvFormat(),
)


def _plugins(group: str, kind: type) -> list[Any]:
    """Objects registered under the entry-point ``group`` (a class is instantiated); a plugin
    that fails to load or lacks the protocol's members is skipped with one warning."""
    from importlib.metadata import entry_points

    found: list[Any] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            obj = ep.load()
            if isinstance(obj, type):
                obj = obj()
        except Exception as exc:
            log.warning("pose: skipping the %s plug-in '%s' (%s): %s", group, ep.name,
                        ep.value, exc)
            continue
        if not isinstance(obj, kind):
            log.warning("pose: skipping the %s plug-in '%s' (%s): it lacks %s's members",
                        group, ep.name, ep.value, kind.__name__)
            continue
        found.append(obj)
    return found


def _merge(builtin: tuple[Any, ...], plugins: list[Any], group: str) -> tuple[Any, ...]:
    names = {b.name for b in builtin}
    out = list(builtin)
    for p in plugins:
        if p.name in names:
            log.warning("pose: skipping the %s plug-in '%s': pose already has that name",
                        group, p.name)
            continue
        names.add(p.name)
        out.append(p)
    return tuple(out)


@functools.cache
def registry() -> FormatRegistry:
    """Every output format and input kind of this environment (built-ins first)."""
    return FormatRegistry(
        outputs=_merge(BUILTIN_OUTPUT_FORMATS, _plugins(OUTPUT_FORMATS_GROUP, OutputFormat),
                       OUTPUT_FORMATS_GROUP),
        inputs=_merge(BUILTIN_INPUT_KINDS, _plugins(INPUT_KINDS_GROUP, InputKind),
                      INPUT_KINDS_GROUP),
    )


def output_format_names() -> list[str]:
    """The ``--output_format`` choices."""
    return registry().output_names()


__all__ = [
    "BUILTIN_OUTPUT_FORMATS",
    "FormatsWriter",
    "check_available",
    "output_format_names",
    "registry",
]
