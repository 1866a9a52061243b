"""(Un)structuring of app/domain values at the edges with a private cattrs converter
(ADR-0004): export metadata and conversion-cache keys hold ``ModelSpec`` as plain JSON.

A :class:`~pose_app.model.Backbone` is stored as its label (``"unet"``, ``"legacy:leap"``), the
name the files held before the backbone was typed (ADR-0105)."""

from __future__ import annotations

import json
from typing import Any

import cattrs

from pose_app.model import Backbone, ModelSpec

_converter = cattrs.Converter()
_converter.register_unstructure_hook(Backbone, lambda b: b.label)
_converter.register_structure_hook(Backbone, lambda v, _: Backbone.from_label(v))


def spec_to_dict(spec: ModelSpec) -> dict[str, Any]:
    """A JSON-ready dict of every ``ModelSpec`` field (tuples become lists)."""
    d: dict[str, Any] = json.loads(json.dumps(_converter.unstructure(spec), default=list))
    return d


def spec_from_dict(d: dict[str, Any], path: str) -> ModelSpec:
    """Rebuild a ``ModelSpec`` from :func:`spec_to_dict` (``path`` replaces the stored one).

    Raises:
        ValueError: the dict does not describe a ``ModelSpec``.
    """
    try:
        return _converter.structure({**d, "path": path}, ModelSpec)
    except Exception as exc:  # cattrs raises an ExceptionGroup of field errors
        detail = "; ".join(str(e) for e in getattr(exc, "exceptions", [exc]))
        raise ValueError(detail or str(exc)) from exc
