"""The Keras model graph stored in a SLEAP ≤1.4 ``best_model.h5``, read as JSON (no TensorFlow).

A Keras HDF5 model file keeps its architecture as a JSON string in the root attribute
``model_config``. Rebuilding that graph with Keras would deserialise every layer, and a ``Lambda``
layer carries marshalled Python bytecode that Keras turns back into a function and calls while
the graph is being built. So the graph is inspected here first, as plain JSON, against an
allowlist of built-in layer classes that hold no code (ADR-0071): anything else is refused
before TensorFlow is even imported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pose_domain.errors import ModelLoadError, UnsafeModelFileError

#: Built-in Keras layer classes whose configs are data only (no functions, no code).
SAFE_LAYERS: frozenset[str] = frozenset({
    "InputLayer",
    "Conv2D", "Conv2DTranspose", "SeparableConv2D", "DepthwiseConv2D",
    "Dense", "Flatten", "Reshape", "Permute",
    "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU",
    "BatchNormalization", "LayerNormalization",
    "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
    "MaxPooling2D", "AveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D",
    "UpSampling2D", "ZeroPadding2D", "Cropping2D",
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "Rescaling", "Normalization",
})
#: Container classes: their own config is a list of layers, checked recursively.
CONTAINERS: frozenset[str] = frozenset({"Functional", "Model", "Sequential"})
#: Layer classes that run stored or named code when built or called.
CODE_LAYERS: frozenset[str] = frozenset({"Lambda", "TFOpLambda", "SlicingOpLambda"})
#: Config keys that only code-carrying layers use.
_CODE_KEYS: frozenset[str] = frozenset({"function", "function_type", "output_shape_type"})

_HEAD_SUFFIX = re.compile(r"_\d+$")


def read_model_config(path: str | Path) -> dict[str, Any]:
    """The ``model_config`` JSON of a Keras HDF5 model file, parsed (nothing is executed).

    Args:
        path: ``best_model.h5``.

    Returns:
        The parsed dict (``{"class_name": "Functional" | "Model", "config": {...}}``).

    Raises:
        ModelLoadError: The file is not HDF5 or holds no readable model graph.
    """
    import h5py

    p = Path(path)
    try:
        with h5py.File(p, "r") as f:
            raw = f.attrs.get("model_config")
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"'{p}' is not a readable HDF5 model file ({exc})",
            hint="re-copy best_model.h5 from the SLEAP training run",
        ) from exc
    if raw is None:
        raise ModelLoadError(
            f"'{p}' holds weights only (no Keras model graph)",
            hint="use the best_model.h5 SLEAP saved with the full model",
        )
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    try:
        cfg = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"'{p}' has a corrupt model graph ({exc})",
                             hint="re-copy best_model.h5") from exc
    if not isinstance(cfg, dict) or not isinstance(cfg.get("config"), dict):
        raise ModelLoadError(f"'{p}' has a model graph Keras did not write",
                             hint="re-copy best_model.h5")
    return cfg


def iter_layers(cfg: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every layer entry of a model config, containers' inner layers included (depth first)."""
    layers = cfg.get("config", {}).get("layers") if isinstance(cfg.get("config"), dict) else None
    for layer in layers or []:
        if not isinstance(layer, dict):
            continue
        yield layer
        if layer.get("class_name") in CONTAINERS:
            yield from iter_layers(layer)


def _has_code_keys(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in _CODE_KEYS or _has_code_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_code_keys(v) for v in value)
    return False


def check_safe(cfg: dict[str, Any], path: str | Path) -> None:
    """Refuse a graph that could run code when Keras rebuilds it.

    Args:
        cfg: A parsed ``model_config`` (see :func:`read_model_config`).
        path: The file, for messages.

    Raises:
        UnsafeModelFileError: A ``Lambda``-like layer, or a layer config carrying a function.
        ModelLoadError: A layer class outside :data:`SAFE_LAYERS` (e.g. a custom layer).
    """
    if cfg.get("class_name") not in CONTAINERS:
        raise ModelLoadError(f"'{path}' holds a '{cfg.get('class_name')}', not a Keras model",
                             hint="pass the best_model.h5 of a SLEAP training run")
    for layer in iter_layers(cfg):
        cls = str(layer.get("class_name"))
        name = str((layer.get("config") or {}).get("name", "?"))
        if cls in CODE_LAYERS:
            raise UnsafeModelFileError(
                f"'{path}' contains a {cls} layer ('{name}') whose stored code would run on "
                "load; refused",
                hint="only load .h5 models from a source you trust; SLEAP's own models have "
                "no Lambda layers",
            )
        if cls in CONTAINERS:
            continue
        if cls not in SAFE_LAYERS:
            raise ModelLoadError(
                f"'{path}' uses Keras layer class '{cls}' ('{name}'), which pose does not load",
                hint="SLEAP ≤1.4 models use built-in layers only; re-export the model",
            )
        if _has_code_keys(layer.get("config")):
            raise UnsafeModelFileError(
                f"'{path}' layer '{name}' ({cls}) carries a serialised function; refused",
                hint="only load .h5 models from a source you trust",
            )
        act = (layer.get("config") or {}).get("activation")
        if act is not None and not isinstance(act, str):
            raise UnsafeModelFileError(
                f"'{path}' layer '{name}' has a non-built-in activation; refused",
                hint="only load .h5 models from a source you trust",
            )


def input_shape(cfg: dict[str, Any]) -> tuple[int | None, ...]:
    """``(batch, height, width, channels)`` of the first input layer (None = free size).

    Raises:
        ModelLoadError: The graph has no input layer with a 4-D shape.
    """
    for layer in iter_layers(cfg):
        if layer.get("class_name") != "InputLayer":
            continue
        c = layer.get("config") or {}
        shape = c.get("batch_input_shape") or c.get("batch_shape")
        if isinstance(shape, list) and len(shape) == 4:
            return tuple(None if s is None else int(s) for s in shape)
    raise ModelLoadError("the Keras model has no 4-D image input layer",
                         hint="pass the best_model.h5 of a SLEAP training run")


def head_name(layer_name: str) -> str:
    """A Keras output layer name without its ``_<digits>`` suffix (``CentroidConfmapsHead``)."""
    return _HEAD_SUFFIX.sub("", layer_name)


def output_key(layer_name: str) -> str | None:
    """The runtime output key of a SLEAP head layer name, or None for an unknown layer.

    ``*ConfmapsHead`` → ``confmaps``; ``PartAffinityFieldsHead`` → ``pafs``; ``ClassMapsHead`` →
    ``class_maps``; ``ClassVectorsHead`` → ``class_vectors``; ``OffsetRefinementHead`` →
    ``offsets``.
    """
    head = head_name(layer_name)
    if head.endswith("ConfmapsHead"):
        return "confmaps"
    return {
        "PartAffinityFieldsHead": "pafs",
        "ClassMapsHead": "class_maps",
        "ClassVectorsHead": "class_vectors",
        "OffsetRefinementHead": "offsets",
    }.get(head)
