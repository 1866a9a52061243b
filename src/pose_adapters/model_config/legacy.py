"""Reader for SLEAP ≤1.4's ``training_config.json`` (parity notes §1.3), mapped to sleap-nn's
vocabulary: ``multi_instance`` heads are ``bottomup``, preprocessing keys are renamed, the
skeleton is a jsonpickle'd graph and the weights are the Keras ``best_model.h5``.

A UNet backbone is rebuilt in torch; its input channels come from the first encoder kernel in
the ``.h5``. The other SLEAP backbones (LEAP, ResNet, Hourglass, pretrained encoders) are read
for their spec only and run on their Keras graph (ADR-0072); their input channels come from the
graph's input layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pose_adapters.keras.weights import keras_weights_path
from pose_adapters.model_config.assembly import ConfigReading, WeightsFile, preprocessing_from
from pose_adapters.model_config.defaults import LEGACY_KERAS_STRIDES, dig, first_non_null
from pose_adapters.model_config.legacy_skeleton import skeleton_from_jsonpickle
from pose_app.model import Backbone, Preprocessing
from pose_domain.errors import ModelLoadError

CONFIG_NAME = "training_config.json"
#: SLEAP 1.x config names, newest first (early releases wrote ``training_job.json``).
CONFIG_NAMES = (CONFIG_NAME, "training_job.json")


def legacy_config_path(folder: Path) -> Path | None:
    """The SLEAP 1.x training config of ``folder`` (None when it has none)."""
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None

#: SLEAP ≤1.4 head types, in the order the first non-null one is picked.
_LEGACY_HEADS = ("single_instance", "centroid", "centered_instance", "multi_instance",
                 "multi_class_bottomup", "multi_class_topdown")


def read_legacy(folder: Path, cfg: dict[str, Any]) -> ConfigReading:
    """What a parsed ``training_config.json`` of ``folder`` says.

    Raises:
        ModelLoadError: An unknown backbone or head, or no skeleton.
        KeyError, TypeError, …: A value of the wrong shape (the loader's guard reports these).
    """
    where = legacy_config_path(folder) or folder / CONFIG_NAME
    model = cfg.get("model") or {}
    block = model.get("backbone") or {}
    unet = block.get("unet")
    if unet is None:
        backbone = _keras_only_backbone(folder, block)
        settings = dict(block[backbone.value] or {})
    mtype, heads = legacy_heads(model.get("heads") or {}, where)
    skeletons = dig(cfg, "data", "labels", "skeletons") or []
    if not skeletons:
        raise ModelLoadError(f"'{where}' has no data.labels.skeletons", hint="fix the config")
    skeleton = skeleton_from_jsonpickle(skeletons[0])
    if unet is not None:
        backbone, settings = Backbone.UNET, _unet_settings(unet)
    return ConfigReading(
        folder=folder,
        config_path=where,
        source_format="sleap-legacy",
        model_type=mtype,
        skeleton=skeleton,
        heads=heads,
        backbone=backbone,
        backbone_block=settings,
        preprocessing=legacy_preprocessing(cfg),
        weights=WeightsFile(
            path=keras_weights_path(folder),
            missing=f"legacy model folder '{folder}' has no best_model.h5 or final_model.h5",
            hint=("copy the Keras model next to training_config.json" if backbone.keras_only
                  else "copy the Keras weights next to training_config.json"),
            read_in_channels=_graph_in_channels if backbone.keras_only else _kernel_in_channels,
        ),
    )


def _keras_only_backbone(folder: Path, block: dict[str, Any]) -> Backbone:
    name = first_non_null(block, tuple(LEGACY_KERAS_STRIDES)) or "none"
    if name not in LEGACY_KERAS_STRIDES:
        raise ModelLoadError(
            f"legacy model '{folder}' uses backbone '{name}', which pose does not know",
            hint="supported SLEAP backbones: unet, " + ", ".join(LEGACY_KERAS_STRIDES),
        )
    return Backbone(name)


def _unet_settings(unet: dict[str, Any]) -> dict[str, Any]:
    """SLEAP's UNet block in sleap-nn keys, with SLEAP's defaults (its stem stride is 16)."""
    return {
        "filters": unet.get("filters", 32),
        "filters_rate": unet.get("filters_rate", 1.5),
        "max_stride": unet.get("max_stride", 16),
        "stem_stride": unet.get("stem_stride", 16),
        "middle_block": unet.get("middle_block", True),
        "up_interpolate": unet.get("up_interpolate", True),
        "stacks": unet.get("stacks", 1),
        "output_stride": unet.get("output_stride", 1),
        "kernel_size": 3,
        "convs_per_block": 2,
        "in_channels": 1,
    }


def _kernel_in_channels(weights: Path) -> int:
    from pose_adapters.keras.weights import read_in_channels

    return read_in_channels(weights)


def _graph_in_channels(weights: Path) -> int:
    from pose_adapters.keras.graph import input_shape, read_model_config

    channels = input_shape(read_model_config(weights))[3]
    return int(channels or 1)


def legacy_heads(heads: dict[str, Any], where: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """Map SLEAP ≤1.4 ``model.heads`` to a sleap-nn model type and head parts (parity notes §1.3).

    Raises:
        ModelLoadError: No supported head type is set.
    """
    kind = first_non_null(heads, _LEGACY_HEADS)

    def confmaps(h: dict[str, Any], sigma: float = 5.0) -> dict[str, Any]:
        return {
            "part_names": h.get("part_names"),
            "anchor_part": h.get("anchor_part"),
            "sigma": h.get("sigma", sigma),
            "output_stride": h.get("output_stride", 1),
        }

    if kind in ("single_instance", "centroid", "centered_instance"):
        return kind, {"confmaps": confmaps(heads[kind])}
    if kind == "multi_instance":
        h = heads[kind]
        pafs = h.get("pafs") or {}
        return "bottomup", {
            "confmaps": confmaps(h.get("confmaps") or {}),
            "pafs": {
                "edges": pafs.get("edges"),
                "sigma": pafs.get("sigma", 15.0),
                "output_stride": pafs.get("output_stride", 1),
            },
        }
    if kind == "multi_class_bottomup":
        h = heads[kind]
        cm = h.get("class_maps") or {}
        return kind, {
            "confmaps": confmaps(h.get("confmaps") or {}),
            "class_maps": {
                "classes": cm.get("classes"),
                "sigma": cm.get("sigma", 15.0),
                "output_stride": cm.get("output_stride", 1),
            },
        }
    if kind == "multi_class_topdown":
        h = heads[kind]
        cv = h.get("class_vectors") or {}
        return kind, {
            "confmaps": confmaps(h.get("confmaps") or {}),
            "class_vectors": {
                "classes": cv.get("classes"),
                "num_fc_layers": cv.get("num_fc_layers", 2),
                "num_fc_units": cv.get("num_fc_units", 1024),
                "global_pool": cv.get("global_pool", True),
                "output_stride": cv.get("output_stride", 1),
            },
        }
    raise ModelLoadError(
        f"legacy model '{where}' has no supported head ({kind or 'none'})",
        hint="supported: " + ", ".join(_LEGACY_HEADS),
    )


def legacy_preprocessing(cfg: dict[str, Any]) -> Preprocessing:
    """``data.preprocessing`` (``target_height``/``_width``, ``input_scaling``) and
    ``data.instance_cropping.crop_size`` as :class:`Preprocessing`."""
    pre = dict(dig(cfg, "data", "preprocessing") or {})
    return preprocessing_from(
        {
            "ensure_rgb": pre.get("ensure_rgb"),
            "ensure_grayscale": pre.get("ensure_grayscale"),
            "max_height": pre.get("target_height"),
            "max_width": pre.get("target_width"),
            "scale": pre.get("input_scaling"),
            "crop_size": dig(cfg, "data", "instance_cropping", "crop_size"),
        }
    )
