"""Building blocks of the option classes: validators, converters and flag metadata keys.

Kept apart from :mod:`pose_app.options` so option groups can live in several modules.
"""

from __future__ import annotations

import re
from typing import Any, get_args

import attrs

from pose_domain.errors import InvalidOptionError

#: An ``--output_format`` name; the choices come from the format registry
#: (:mod:`pose_app.formats`), which the composition root builds (ADR-0170).
OutputFormat = str


#: ``metadata`` key: extra CLI spellings of a flag.
FLAGS = "flags"
#: ``metadata`` key: the negative CLI flag of a bool (default: none).
NEGATIVE = "negative"
#: ``metadata`` key: the flag's choices are a registry's names (the CLI asks the composition
#: root for them), e.g. ``"output_formats"``.
CHOICES = "choices"
#: ``metadata`` key: the option changes how a run executes, not what it writes (left out of
#: resume / batch fingerprints).
EXECUTION = "execution"


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
    """Format names are well formed; which exist is the registry's to say (checked with the
    inputs, before any model loads)."""
    for v in value:
        if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", v):
            raise InvalidOptionError(f"--output_format: '{v}' is not a format name",
                                     hint="pose system lists the formats")


def _embed(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def _flags(*names: str, **extra: Any) -> dict[str, Any]:
    return {FLAGS: names, **extra}


_EXEC = {EXECUTION: True}


