"""The step every config reader ends in: from what a reader found in one training config
(:class:`ConfigReading`) to a checked :class:`ModelConfig`.

The readers (:mod:`.sleap_nn`, :mod:`.legacy`) only translate their file format; everything
that follows from the facts they read is done here, once, in this order: head parts get their
channel sources and default strides, the weights file must exist (and may tell the input
channels), the backbone gets its defaults and the stride bookkeeping of its family, a
class-vectors head takes the backbone's deepest stride, the backbone numbers are checked, and
the :class:`~pose_app.model.ModelSpec` is built.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from pose_adapters.model_config.defaults import (
    CONVNEXT_DEFAULTS,
    LEGACY_KERAS_STRIDES,
    SWINT_DEFAULTS,
    UNET_DEFAULTS,
)
from pose_app.model import Backbone, ModelSpec, Preprocessing
from pose_domain.errors import ModelLoadError
from pose_domain.skeleton import Skeleton


@attrs.frozen(kw_only=True)
class ModelConfig:
    """Everything needed to build a network for one model folder.

    Attributes:
        spec: The runtime-independent facts (see :class:`pose_app.model.ModelSpec`); the
            backbone family is ``spec.backbone``.
        backbone_config: The backbone block with defaults filled, ``output_stride`` and
            ``max_stride`` resolved (the dict the torch backbones receive).
        heads: ``{part: config}`` of the model type's head, e.g. ``{"confmaps": {...},
            "pafs": {...}}``; each part has ``output_stride`` and its channel source
            (``part_names``, ``edges`` or ``classes``).
        weights_path: ``best.ckpt`` (sleap-nn) or ``best_model.h5`` (legacy).
        folder: The model folder.
    """

    spec: ModelSpec
    backbone_config: dict[str, Any]
    heads: dict[str, dict[str, Any]]
    weights_path: Path
    folder: Path


@attrs.frozen(kw_only=True)
class WeightsFile:
    """The weights file a config goes with.

    Attributes:
        path: Where it must be.
        missing: The message when it is absent; ``hint`` its hint.
        read_in_channels: Reads the network's input channels from the file, for formats whose
            config does not record them (SLEAP ≤1.4); None: the backbone block has them.
    """

    path: Path
    missing: str
    hint: str
    read_in_channels: Callable[[Path], int] | None = None


@attrs.frozen(kw_only=True)
class ConfigReading:
    """What a reader found in one training config, in the sleap-nn vocabulary.

    Attributes:
        folder: The model folder.
        config_path: The training config, named in error messages.
        source_format: ``sleap-nn`` or ``sleap-legacy``.
        model_type: One of :data:`pose_app.model.MODEL_TYPES`.
        skeleton: The training skeleton.
        heads: ``{part: config}`` as written (channel sources and strides may be missing).
        backbone: The backbone family.
        backbone_block: The backbone's settings as written (sleap-nn key names).
        preprocessing: Training-time preprocessing.
        weights: The weights file that goes with the config.
    """

    folder: Path
    config_path: Path
    source_format: str
    model_type: str
    skeleton: Skeleton
    heads: dict[str, dict[str, Any]]
    backbone: Backbone
    backbone_block: dict[str, Any]
    preprocessing: Preprocessing
    weights: WeightsFile


def assemble(reading: ConfigReading) -> ModelConfig:
    """Complete and check what a reader found (see the module docstring for the steps).

    Raises:
        ModelLoadError: A head lacks what it needs, the weights file is missing or unreadable,
            or a backbone number is not a positive number / a stride not a power of two.
    """
    where = reading.config_path
    heads = complete_heads(reading.heads, reading.skeleton, where)
    weights = reading.weights
    if not weights.path.is_file():
        raise ModelLoadError(weights.missing, hint=weights.hint)
    block = dict(reading.backbone_block)
    if weights.read_in_channels is not None:
        block["in_channels"] = weights.read_in_channels(weights.path)
    backbone = resolve_backbone(reading.backbone, block, heads)
    if reading.model_type == "multi_class_topdown":
        heads["class_vectors"]["output_stride"] = backbone["max_stride"]
    check_backbone_numbers(backbone, where)
    return ModelConfig(
        spec=build_spec(reading, backbone, heads),
        backbone_config=backbone,
        heads=heads,
        weights_path=weights.path,
        folder=reading.folder,
    )


def complete_heads(
    heads: dict[str, dict[str, Any]], skeleton: Skeleton, where: Path
) -> dict[str, dict[str, Any]]:
    """Fill channel sources: ``part_names`` default to the skeleton, ``edges`` likewise; spatial
    parts default to ``output_stride`` 1. Returns new dicts."""
    out = {k: dict(v) for k, v in heads.items()}
    cm = out.get("confmaps")
    if cm is None:
        raise ModelLoadError(f"head config in '{where}' has no confmaps block")
    if not cm.get("part_names"):
        cm["part_names"] = list(skeleton.nodes)
    cm.setdefault("output_stride", 1)
    if "pafs" in out:
        if not out["pafs"].get("edges"):
            out["pafs"]["edges"] = [list(e) for e in skeleton.edge_names]
        out["pafs"].setdefault("output_stride", 1)
    for part in ("class_maps", "class_vectors"):
        if part in out and not out[part].get("classes"):
            raise ModelLoadError(f"'{where}': {part} head lists no classes")
    if "class_maps" in out:
        out["class_maps"].setdefault("output_stride", 1)
    return out


def _with_defaults(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out = dict(defaults)
    out.update({k: v for k, v in given.items() if v is not None or k == "stem_stride"})
    return out


def resolve_backbone(
    backbone: Backbone, block: dict[str, Any], heads: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The backbone block with its family's defaults and the trainer's stride bookkeeping.

    * UNet (parity notes §1.1): ``output_stride`` is lowered to the finest head stride,
      ``max_stride`` raised to the coarsest.
    * ConvNeXt / SwinT: ``max_stride`` is always ``stem_patch_stride · 16``; ``output_stride``
      as for UNet.
    * Keras-only SLEAP families (ADR-0072): no defaults beyond the strides of
      :data:`~.defaults.LEGACY_KERAS_STRIDES` (pretrained encoders always reduce by 32), widened
      by the heads' strides as for UNet.
    """
    if backbone.keras_only:
        return _resolve_keras_only(backbone, block, heads)
    spatial = [
        int(cfg["output_stride"])
        for part, cfg in heads.items()
        if part != "class_vectors" and cfg.get("output_stride") is not None
    ]
    if backbone is Backbone.UNET:
        cfg = _with_defaults(UNET_DEFAULTS, block)
        if spatial:
            cfg["output_stride"] = min([int(cfg["output_stride"]), *spatial])
            cfg["max_stride"] = max([int(cfg["max_stride"]), *spatial])
    else:
        defaults = CONVNEXT_DEFAULTS if backbone is Backbone.CONVNEXT else SWINT_DEFAULTS
        cfg = _with_defaults(defaults, block)
        cfg["max_stride"] = int(cfg["stem_patch_stride"]) * 16
        if spatial:
            cfg["output_stride"] = min([int(cfg["output_stride"]), *spatial])
    cfg["max_stride"] = int(cfg["max_stride"])
    cfg["output_stride"] = int(cfg["output_stride"])
    return cfg


def _resolve_keras_only(
    backbone: Backbone, block: dict[str, Any], heads: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    default_max, default_out = LEGACY_KERAS_STRIDES[backbone.value]
    raw = dict(block)
    if backbone is Backbone.PRETRAINED_ENCODER:
        raw["max_stride"] = default_max
    spatial = [int(h["output_stride"]) for p, h in heads.items() if p != "class_vectors"]
    return {
        **raw,
        "in_channels": int(raw.get("in_channels") or 1),
        "max_stride": max([int(raw.get("max_stride") or default_max), *spatial]),
        "output_stride": min([int(raw.get("output_stride") or default_out), *spatial]),
    }


#: Backbone settings that must be numbers (found by fuzzing: a string here crashed the build).
_NUMERIC_BACKBONE_KEYS = ("in_channels", "kernel_size", "filters", "filters_rate", "stacks",
                          "convs_per_block", "stem_patch_kernel", "stem_patch_stride",
                          "patch_size", "window_size", "stem_stride")


def check_backbone_numbers(cfg: dict[str, Any], where: Path) -> None:
    """Backbone settings are positive numbers; ``max_stride`` / ``output_stride`` powers of two.

    Raises:
        ModelLoadError: naming the key, its value and ``where``.
    """
    for key in _NUMERIC_BACKBONE_KEYS:
        value = cfg.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value) or value <= 0):
            raise ModelLoadError(
                f"backbone {key}={value!r} in '{where}' is not a positive number",
                hint="restore the training config written by training",
            )
    for key in ("max_stride", "output_stride"):
        v = int(cfg[key])
        if v < 1 or (v & (v - 1)) != 0:
            raise ModelLoadError(
                f"backbone {key}={v} in '{where}' is not a power of two",
                hint="fix the training config",
            )


def build_spec(
    reading: ConfigReading, backbone: dict[str, Any], heads: dict[str, dict[str, Any]]
) -> ModelSpec:
    """The :class:`ModelSpec` of a completed reading (``backbone``: the resolved block)."""
    confmaps = heads["confmaps"]
    classes: tuple[str, ...] = ()
    for part in ("class_maps", "class_vectors"):
        if part in heads:
            classes = tuple(str(c) for c in heads[part].get("classes") or ())
    anchor = confmaps.get("anchor_part")
    return ModelSpec(
        path=str(reading.folder),
        model_type=reading.model_type,
        skeleton=reading.skeleton,
        backbone=reading.backbone,
        in_channels=int(backbone["in_channels"]),
        max_stride=int(backbone["max_stride"]),
        confmap_stride=int(confmaps["output_stride"]),
        paf_stride=int(heads["pafs"]["output_stride"]) if "pafs" in heads else None,
        class_map_stride=(
            int(heads["class_maps"]["output_stride"]) if "class_maps" in heads else None
        ),
        classes=classes,
        anchor_part=None if anchor in (None, "") else str(anchor),
        preprocessing=reading.preprocessing,
        source_format=reading.source_format,
    )


def preprocessing_from(pre: dict[str, Any]) -> Preprocessing:
    """:class:`Preprocessing` from a sleap-nn ``data_config.preprocessing`` mapping (None
    values mean "not set"); numbers are converted with ``int`` / ``float``."""

    def _opt_int(v: Any) -> int | None:
        return None if v is None else int(v)

    return Preprocessing(
        ensure_rgb=bool(pre.get("ensure_rgb") or False),
        ensure_grayscale=bool(pre.get("ensure_grayscale") or False),
        max_height=_opt_int(pre.get("max_height")),
        max_width=_opt_int(pre.get("max_width")),
        scale=float(pre["scale"]) if pre.get("scale") is not None else 1.0,
        crop_size=_opt_int(pre.get("crop_size")),
    )
