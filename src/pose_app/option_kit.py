"""Building blocks of the option classes: validators, converters and flag metadata keys.

Kept apart from :mod:`pose_app.options` so option groups can live in several modules.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Iterator, Mapping
from types import UnionType
from typing import Any, Union, get_args, get_origin

import attrs

from pose_domain.errors import InvalidOptionError

#: An ``--output_format`` name; the choices come from the format registry
#: (:mod:`pose_app.formats`), which the composition root builds (ADR-0170).
OutputFormat = str


#: ``metadata`` key: extra CLI spellings of a flag.
FLAGS = "flags"
#: ``metadata`` key: the negative CLI flag of a bool (default: none).
NEGATIVE = "negative"
#: ``metadata`` key: the type the CLI parses the flag as, when it accepts more spellings than
#: the option's own type (the converter maps them onto it).
CLI_TYPE = "cli_type"
#: ``metadata`` key: the flag's choices are a registry's names (the CLI asks the composition
#: root for them), e.g. ``"output_formats"``.
CHOICES = "choices"
#: ``metadata`` key: the option changes how a run executes, not what it writes (left out of
#: resume / batch fingerprints).
EXECUTION = "execution"
#: Class attribute of an option group: ``"kebab"`` spells its flags ``--max-batch-size``
#: (``sleap-nn export``), otherwise they are the field names (``--max_instances``).
FLAG_STYLE = "flag_style"


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
        is_bool = isinstance(value, bool) or _is_numpy_bool(value)
        checks = {bool: ("True or False", is_bool),
                  int: ("an integer", isinstance(value, numbers.Integral) and not is_bool),
                  float: ("a number", isinstance(value, numbers.Real) and not is_bool)}
        wanted = [checks[t] for t in (bool, int, float) if t in members]
        if wanted and not any(ok for _, ok in wanted):
            kinds = " or ".join(k for k, _ in wanted)
            if type(None) in members:
                kinds += " or None"
            raise InvalidOptionError(f"--{f.name} must be {kinds}, got {value!r}")


def _is_numpy_bool(value: Any) -> bool:
    # numpy is not imported here: option modules stay light for ``pose CMD --help``
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool")


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




def flag_paths(cls: type) -> dict[str, tuple[str, ...]]:
    """Flag name -> attribute path through the nested option groups of ``cls``."""
    out: dict[str, tuple[str, ...]] = {}
    for f in attrs.fields(attrs.resolve_types(cls)):
        if isinstance(f.type, type) and attrs.has(f.type):
            for name, path in flag_paths(f.type).items():
                out[name] = (f.name, *path)
        else:
            out[f.name] = (f.name,)
    return out


def option_fields(cls: type) -> Iterator[attrs.Attribute[Any]]:
    """Every leaf field of ``cls`` and its nested option groups."""
    for f in attrs.fields(attrs.resolve_types(cls)):
        if isinstance(f.type, type) and attrs.has(f.type):
            yield from option_fields(f.type)
        else:
            yield f


def build_from_flags(cls: type, values: Mapping[str, Any], *, hint: str) -> Any:
    """An option object of ``cls`` from flat flag names; the rest at defaults.

    Raises:
        InvalidOptionError: An unknown name (``hint`` says which names exist), or a value a
            validator refuses.
    """
    unknown = sorted(set(values) - set(flag_paths(cls)))
    if unknown:
        raise InvalidOptionError(f"unknown option(s): {', '.join(unknown)}", hint=hint)
    check_number_types(option_fields(cls), values)
    return _build(cls, values)


def flat_flags(obj: Any) -> Iterator[tuple[str, Any]]:
    """``(flag name, value)`` of every leaf field of the option object ``obj`` (JSON-able)."""
    for f in attrs.fields(type(obj)):
        value = getattr(obj, f.name)
        if attrs.has(type(value)):
            yield from flat_flags(value)
        else:
            yield f.name, list(value) if isinstance(value, tuple) else value


def _build(cls: type, values: Mapping[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(attrs.resolve_types(cls)):
        if isinstance(f.type, type) and attrs.has(f.type):
            kwargs[f.name] = _build(f.type, values)
        elif f.name in values:
            kwargs[f.name] = values[f.name]
    return cls(**kwargs)
