"""Building blocks of the option classes: validators, converters and flag metadata keys.

Kept apart from :mod:`pose_app.options` so option groups can live in several modules.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import attrs
import numpy as np

from pose_domain.errors import InvalidOptionError

OutputFormat = Literal["slp", "analysis_h5"]


#: ``metadata`` key: extra CLI spellings of a flag.
FLAGS = "flags"
#: ``metadata`` key: the negative CLI flag of a bool (default: none).
NEGATIVE = "negative"
#: ``metadata`` key: the type the CLI parses the flag as, when it accepts more spellings than
#: the option's own type (the converter maps them onto it).
CLI_TYPE = "cli_type"
#: ``metadata`` key: the option changes how a run executes, not what it writes (left out of
#: resume / batch fingerprints).
EXECUTION = "execution"


def check_number_types(fields: Iterable[attrs.Attribute[Any]], values: Mapping[str, Any]) -> None:
    """Refuse a value of the wrong kind for a bool, int or float option (Python callers pass
    anything; the CLI parses to the right type already).

    Raises:
        InvalidOptionError: Naming the option, e.g. ``--batch_size must be an integer``.
    """
    for f in fields:
        if f.name not in values or f.converter is not None:
            continue
        value = values[f.name]
        members = set(get_args(f.type)) if get_origin(f.type) in (Union, UnionType) else {f.type}
        if value is None and type(None) in members:
            continue
        checks = {bool: ("True or False", isinstance(value, (bool, np.bool_))),
                  int: ("an integer", isinstance(value, numbers.Integral)
                        and not isinstance(value, (bool, np.bool_))),
                  float: ("a number", isinstance(value, numbers.Real)
                          and not isinstance(value, (bool, np.bool_)))}
        wanted = [checks[t] for t in (bool, int, float) if t in members]
        if wanted and not any(ok for _, ok in wanted):
            kinds = " or ".join(k for k, _ in wanted)
            if type(None) in members:
                kinds += " or None"
            raise InvalidOptionError(f"--{f.name} must be {kinds}, got {value!r}")


def one_of(choices: Any) -> Any:
    """Validator: the value is one of the ``Literal`` ``choices``."""
    allowed = get_args(choices)

    def check(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed:
            raise InvalidOptionError(
                f"--{attribute.name} must be one of {', '.join(allowed)}, got '{value}'"
            )

    return check


def _positive(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value <= 0:
        raise InvalidOptionError(f"--{attribute.name} must be positive, got {value}")


def _non_negative(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value < 0:
        raise InvalidOptionError(f"--{attribute.name} must be >= 0, got {value}")


def _refinement(value: Any) -> Any:
    """SLEAP-style spellings: ``True`` means integral; ``False``/``None``/"None" mean none."""
    if value is True:
        return "integral"
    if value is None or value is False or str(value).lower() in ("none", "null", "false", ""):
        return "none"
    return value


def _int_list(value: Any) -> tuple[int, ...] | None:
    """``"0,1,2"``, ``[0, 1, 2]`` or None -> a tuple of ints (None stays None)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return tuple(int(v) for v in value.replace(" ", "").split(",") if v)
        except ValueError as exc:
            raise InvalidOptionError(
                f"expected comma-separated integers, got '{value}'", hint="e.g. 0,1,2"
            ) from exc
    return tuple(int(v) for v in value)


def _int_list_ok(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    _int_list(value)


def _formats(value: Any) -> list[str]:
    """One format or several (repeated ``--output_format``), without duplicates."""
    values = [value] if isinstance(value, str) else list(value or ["slp"])
    return list(dict.fromkeys(values))


def _each_format(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    allowed = get_args(OutputFormat)
    for v in value:
        if v not in allowed:
            raise InvalidOptionError(
                f"--output_format must be one of {', '.join(allowed)}, got '{v}'"
            )


def _embed(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def _flags(*names: str, **extra: Any) -> dict[str, Any]:
    return {FLAGS: names, **extra}


_EXEC = {EXECUTION: True}


