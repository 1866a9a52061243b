"""Flags from the option classes of :mod:`pose_app.options` (ADR-0095).

The application layer declares every option once, without knowing the CLI library. Here each
option class gets a CLI twin made from its fields: a subclass whose field annotations carry the
cyclopts ``Parameter`` (flag names from ``metadata["flags"]``, no negative flag for bools unless
``metadata["negative"]`` names one). cyclopts reads the help of each flag from the field
docstrings of the original class and the choices from its ``Literal`` types. A command takes
the twin flattened (``Parameter(name="*")``) and turns it back into the plain class with
:func:`to_options`, which runs the validators.
"""

from __future__ import annotations

import functools
import types
from typing import Annotated, Any, Literal, TypeVar, Union, cast, get_args, get_origin

import attrs
from cyclopts import Group, Parameter

from pose_app.option_kit import CHOICES, CLI_TYPE, FLAG_STYLE, FLAGS, NEGATIVE

T = TypeVar("T")


def _is_bool(tp: Any) -> bool:
    if tp is bool:
        return True
    if get_origin(tp) in (Union, types.UnionType):
        return bool in get_args(tp)
    return False


@functools.cache
def _group(title: str) -> Group:
    """One help panel per option group (same title, same panel)."""
    return Group(title)


def _registry_choices(tag: str) -> Any:
    """The ``Literal`` of a registry's names (``--output_format``: every installed format)."""
    from pose.bootstrap import format_registry

    if tag == "output_formats":
        return Literal[tuple(format_registry().output_names())]
    raise ValueError(f"unknown choices: {tag}")


@functools.cache
def cli_type(cls: type) -> Any:
    """The CLI twin of the option class ``cls`` (cached: one per class)."""
    attrs.resolve_types(cls)
    fields: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if isinstance(f.type, type) and attrs.has(f.type):
            sub = cli_type(f.type)
            title = (f.type.__doc__ or f.name).strip().splitlines()[0].rstrip(".")
            nested: Any = Annotated[sub, Parameter(name="*", group=_group(title))]
            fields[f.name] = attrs.field(factory=sub, type=nested)
            continue
        name = f.name.replace("_", "-") if getattr(cls, FLAG_STYLE, "") == "kebab" else f.name
        kw: dict[str, Any] = {"name": ["--" + name, *f.metadata.get(FLAGS, ())]}
        if _is_bool(f.type):
            kw["negative"] = f.metadata.get(NEGATIVE, "")
        if get_origin(f.type) is list or f.type is list:
            kw["negative"] = ""
        if f.metadata.get("hidden"):
            kw["show"] = False
        tp: Any = f.metadata.get(CLI_TYPE, f.type)
        if f.metadata.get(CHOICES):
            choices = _registry_choices(f.metadata[CHOICES])
            tp = list[choices] if get_origin(f.type) is list else choices  # type: ignore[valid-type]
        annotated: Any = Annotated[tp, Parameter(**kw)]
        default = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            fields[f.name] = attrs.field(factory=default.factory, type=annotated)
        else:
            fields[f.name] = attrs.field(default=default, type=annotated)
    return attrs.make_class(cls.__name__, fields, bases=(cls,), frozen=True, kw_only=True,
                            slots=True)


def to_options(cls: type[T], value: Any) -> T:
    """The plain option object of ``cls`` from its CLI twin (validators run here)."""
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(cast(Any, cls)):
        v = getattr(value, f.name)
        if isinstance(f.type, type) and attrs.has(f.type):
            v = to_options(f.type, v)
        kwargs[f.name] = v
    return cls(**kwargs)
