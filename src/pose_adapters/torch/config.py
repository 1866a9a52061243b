"""Read a trained model folder (sleap-nn or SLEAP ≤1.4) into a :class:`ModelSpec` + build config.

A model path may be the folder itself, any ``*.ckpt`` inside it (always resolved to
``best.ckpt``), ``best_model.h5``, or ``training_config.{yaml,yml,json}``. ``training_config.yaml``
wins over ``training_config.json`` (the latter marks a legacy SLEAP model).

Nothing here touches weights or torch: this module is cheap to import and to call.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import attrs

from pose_app.model import MODEL_TYPES, ModelSpec, Preprocessing
from pose_domain.errors import InputNotFoundError, ModelLoadError, PoseError
from pose_domain.skeleton import Skeleton

log = logging.getLogger(__name__)

#: Head types in the canonical order sleap-nn uses to pick the model type.
CANONICAL_HEADS: tuple[str, ...] = (
    *MODEL_TYPES,
    "bottomup_segmentation",
    "centered_instance_segmentation",
    "semantic_segmentation",
)
BACKBONES: tuple[str, ...] = ("unet", "convnext", "swint", "pretrained")
SUPPORTED_BACKBONES: tuple[str, ...] = ("unet", "convnext", "swint")

UNET_DEFAULTS: dict[str, Any] = {
    "in_channels": 1,
    "kernel_size": 3,
    "filters": 32,
    "filters_rate": 1.5,
    "max_stride": 16,
    "stem_stride": None,
    "middle_block": True,
    "up_interpolate": True,
    "stacks": 1,
    "convs_per_block": 2,
    "output_stride": 1,
}
CONVNEXT_DEFAULTS: dict[str, Any] = {
    "model_type": "tiny",
    "arch": None,
    "stem_patch_kernel": 4,
    "stem_patch_stride": 2,
    "in_channels": 1,
    "kernel_size": 3,
    "filters_rate": 2.0,
    "convs_per_block": 2,
    "up_interpolate": True,
    "output_stride": 1,
    "max_stride": 32,
}
SWINT_DEFAULTS: dict[str, Any] = {
    "model_type": "tiny",
    "arch": None,
    "patch_size": 4,
    "stem_patch_stride": 2,
    "window_size": 7,
    "in_channels": 1,
    "kernel_size": 3,
    "filters_rate": 2.0,
    "convs_per_block": 2,
    "up_interpolate": True,
    "output_stride": 1,
    "max_stride": 32,
}

#: Sub-config names of each head type: spatial ones first; ``class_vectors`` is not spatial.
HEAD_PARTS: dict[str, tuple[str, ...]] = {
    "single_instance": ("confmaps",),
    "centroid": ("confmaps",),
    "centered_instance": ("confmaps",),
    "bottomup": ("confmaps", "pafs"),
    "multi_class_bottomup": ("confmaps", "class_maps"),
    "multi_class_topdown": ("confmaps", "class_vectors"),
}


@attrs.frozen(kw_only=True)
class ModelConfig:
    """Everything needed to build a network for one model folder.

    Attributes:
        spec: The runtime-independent facts (see :class:`pose_app.model.ModelSpec`).
        backbone_type: ``unet``, ``convnext`` or ``swint``.
        backbone: The backbone block with defaults filled, ``output_stride`` and ``max_stride``
            resolved (the dict H2's backbones receive).
        heads: ``{part: config}`` of the model type's head, e.g. ``{"confmaps": {...},
            "pafs": {...}}``; each part has ``output_stride`` and its channel source
            (``part_names``, ``edges`` or ``classes``).
        weights_path: ``best.ckpt`` (sleap-nn) or ``best_model.h5`` (legacy).
        folder: The model folder.
    """

    spec: ModelSpec
    backbone_type: str
    backbone: dict[str, Any]
    heads: dict[str, dict[str, Any]]
    weights_path: Path
    folder: Path


def resolve_model_dir(model_path: str | Path) -> Path:
    """Map a folder, ``*.ckpt``, ``*.h5`` or ``training_config.*`` path to its model folder.

    Raises:
        InputNotFoundError: The path does not exist.
        ModelLoadError: The path is a file that is not part of a model folder.
    """
    path = Path(model_path).expanduser()
    if not path.exists():
        raise InputNotFoundError(
            f"model path '{path}' does not exist",
            hint="pass a trained model folder (with training_config.yaml and best.ckpt)",
        )
    if path.is_dir():
        return path
    if path.suffix == ".ckpt":
        if path.name != "best.ckpt":
            log.warning("model path %s: using best.ckpt from its folder", path)
        return path.parent
    if path.suffix == ".h5" or (
        path.stem == "training_config" and path.suffix in (".yaml", ".yml", ".json")
    ):
        return path.parent
    raise ModelLoadError(
        f"'{path}' is not a model folder, checkpoint or training_config file",
        hint="pass the folder that holds training_config.yaml and best.ckpt",
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"cannot read '{path}': {exc}", hint="check the file") from exc


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as exc:
        msg = " ".join(str(exc).split())
        raise ModelLoadError(
            f"'{path}' is not valid YAML: {msg}", hint="restore the training config"
        ) from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"'{path}' is not a training config (top level is not a mapping)")
    return data


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(
            f"'{path}' is not valid JSON: {exc}", hint="restore the training config"
        ) from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"'{path}' is not a training config (top level is not an object)")
    return data


def _dig(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def load_model_config(model_path: str | Path) -> ModelConfig:
    """Parse a model folder's training config (no weights are read).

    Args:
        model_path: Folder, ``*.ckpt``, ``best_model.h5`` or ``training_config.*`` path.

    Returns:
        The parsed :class:`ModelConfig`.

    Raises:
        InputNotFoundError: The path does not exist.
        ModelLoadError: Config or weights file missing, malformed, or of an unsupported type.
    """
    folder = resolve_model_dir(model_path)
    for name in ("training_config.yaml", "training_config.yml"):
        if (folder / name).is_file():
            return _guarded(_from_sleapnn, folder, _load_yaml(folder / name), folder / name)
    if (folder / "training_config.json").is_file():
        path = folder / "training_config.json"
        return _guarded(_from_legacy, folder, _load_json(path), path)
    raise ModelLoadError(
        f"model folder '{folder}' has no training_config.yaml or training_config.json",
        hint="pass a folder written by sleap-nn training or SLEAP ≤1.4",
    )


#: What a config whose values have the wrong shape raises while being read.
_MALFORMED = (KeyError, IndexError, TypeError, AttributeError, ValueError, OverflowError,
              ZeroDivisionError, RecursionError)


def _guarded(read: Any, folder: Path, cfg: dict[str, Any], where: Path) -> ModelConfig:
    """Run a config reader; a value of the wrong type or a missing key becomes one
    :class:`ModelLoadError` (found by fuzzing: the readers assume well-formed configs)."""
    try:
        config: ModelConfig = read(folder, cfg)
    except PoseError:
        raise
    except _MALFORMED as exc:
        kind = "missing key" if isinstance(exc, KeyError) else f"{type(exc).__name__}:"
        what = f"{kind} {exc}"
        raise ModelLoadError(
            f"training config '{where}' is malformed ({' '.join(what.split())[:200]})",
            hint="restore the training_config file written by training",
        ) from exc
    return config


def load_model_spec(model_path: str | Path) -> ModelSpec:
    """The :class:`ModelSpec` of a model folder, from its config only (cheap, no torch)."""
    return load_model_config(model_path).spec


# --- sleap-nn ------------------------------------------------------------------------------
def _first_non_null(block: Any, order: tuple[str, ...]) -> str | None:
    if not isinstance(block, dict):
        return None
    for key in order:
        if block.get(key) is not None:
            return key
    for key, value in block.items():  # unknown types: still report them by name
        if value is not None:
            return str(key)
    return None


def _model_type(head_configs: Any, where: Path) -> str:
    mtype = _first_non_null(head_configs, CANONICAL_HEADS)
    if mtype is None:
        raise ModelLoadError(
            f"'{where}' defines no head (model_config.head_configs is empty)",
            hint=f"supported model types: {', '.join(MODEL_TYPES)}",
        )
    if mtype not in MODEL_TYPES:
        raise ModelLoadError(
            f"model type '{mtype}' in '{where}' is not supported",
            hint=f"supported model types: {', '.join(MODEL_TYPES)}",
        )
    return mtype


def _skeleton_from_sio_dict(d: Any) -> Skeleton:
    nodes = [n["name"] if isinstance(n, dict) else str(n) for n in (d.get("nodes") or [])]

    def _name(x: Any) -> str:
        return str(x["name"]) if isinstance(x, dict) else str(x)

    edges = [(_name(e["source"]), _name(e["destination"])) for e in (d.get("edges") or [])]
    syms: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for s in d.get("symmetries") or []:
        if isinstance(s, dict):
            a = _name(s.get("source", s.get("node1")))
            b = _name(s.get("destination", s.get("node2")))
        else:
            a, b = _name(s[0]), _name(s[1])
        if frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            syms.append((a, b))
    return Skeleton.from_names(nodes, edges, syms, name=str(d.get("name") or ""))


def _with_defaults(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out = dict(defaults)
    out.update({k: v for k, v in given.items() if v is not None or k == "stem_stride"})
    return out


def _resolve_backbone(
    btype: str, raw: dict[str, Any], heads: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Fill defaults and the stride bookkeeping the trainer does (facts 1.1)."""
    spatial = [
        int(cfg["output_stride"])
        for part, cfg in heads.items()
        if part != "class_vectors" and cfg.get("output_stride") is not None
    ]
    if btype == "unet":
        cfg = _with_defaults(UNET_DEFAULTS, raw)
        if spatial:
            cfg["output_stride"] = min([int(cfg["output_stride"]), *spatial])
            cfg["max_stride"] = max([int(cfg["max_stride"]), *spatial])
    else:
        defaults = CONVNEXT_DEFAULTS if btype == "convnext" else SWINT_DEFAULTS
        cfg = _with_defaults(defaults, raw)
        cfg["max_stride"] = int(cfg["stem_patch_stride"]) * 16
        if spatial:
            cfg["output_stride"] = min([int(cfg["output_stride"]), *spatial])
    cfg["max_stride"] = int(cfg["max_stride"])
    cfg["output_stride"] = int(cfg["output_stride"])
    return cfg


def _preprocessing(pre: dict[str, Any]) -> Preprocessing:
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


#: Backbone settings that must be numbers (found by fuzzing: a string here crashed the build).
_NUMERIC_BACKBONE_KEYS = ("in_channels", "kernel_size", "filters", "filters_rate", "stacks",
                          "convs_per_block", "stem_patch_kernel", "stem_patch_stride",
                          "patch_size", "window_size", "stem_stride")


def _check_strides(cfg: dict[str, Any], where: Path) -> None:
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


def _build_spec(
    *,
    folder: Path,
    mtype: str,
    skeleton: Skeleton,
    btype: str,
    backbone: dict[str, Any],
    heads: dict[str, dict[str, Any]],
    preprocessing: Preprocessing,
    source_format: str,
) -> ModelSpec:
    confmaps = heads["confmaps"]
    classes: tuple[str, ...] = ()
    for part in ("class_maps", "class_vectors"):
        if part in heads:
            classes = tuple(str(c) for c in heads[part].get("classes") or ())
    anchor = confmaps.get("anchor_part")
    return ModelSpec(
        path=str(folder),
        model_type=mtype,
        skeleton=skeleton,
        backbone=btype,
        in_channels=int(backbone["in_channels"]),
        max_stride=int(backbone["max_stride"]),
        confmap_stride=int(confmaps["output_stride"]),
        paf_stride=int(heads["pafs"]["output_stride"]) if "pafs" in heads else None,
        class_map_stride=(
            int(heads["class_maps"]["output_stride"]) if "class_maps" in heads else None
        ),
        classes=classes,
        anchor_part=None if anchor in (None, "") else str(anchor),
        preprocessing=preprocessing,
        source_format=source_format,
    )


def _complete_heads(
    heads: dict[str, dict[str, Any]], skeleton: Skeleton, where: Path
) -> dict[str, dict[str, Any]]:
    """Fill channel sources: ``part_names`` default to the skeleton, ``edges`` likewise."""
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


def _from_sleapnn(folder: Path, cfg: dict[str, Any]) -> ModelConfig:
    where = folder / "training_config.yaml"
    model_cfg = cfg.get("model_config") or {}
    mtype = _model_type(model_cfg.get("head_configs"), where)
    btype = _first_non_null(model_cfg.get("backbone_config"), BACKBONES)
    if btype not in SUPPORTED_BACKBONES:
        raise ModelLoadError(
            f"backbone '{btype}' in '{where}' is not supported",
            hint=f"supported backbones: {', '.join(SUPPORTED_BACKBONES)}",
        )
    raw_heads = model_cfg["head_configs"][mtype]
    heads_raw = {
        part: dict(raw_heads.get(part) or {})
        for part in HEAD_PARTS[mtype]
        if isinstance(raw_heads, dict) and raw_heads.get(part) is not None
    }
    skeletons = _dig(cfg, "data_config", "skeletons") or []
    if not skeletons:
        raise ModelLoadError(f"'{where}' has no data_config.skeletons", hint="retrain or fix it")
    if not isinstance(skeletons, list) or not isinstance(skeletons[0], dict):
        raise ModelLoadError(
            f"data_config.skeletons in '{where}' is not a list of skeletons (nodes and edges)",
            hint="restore the training config written by training",
        )
    skeleton = _skeleton_from_sio_dict(skeletons[0])
    heads = _complete_heads(heads_raw, skeleton, where)
    backbone = _resolve_backbone(btype, dict(model_cfg["backbone_config"][btype]), heads)
    if mtype == "multi_class_topdown":
        heads["class_vectors"]["output_stride"] = backbone["max_stride"]
    _check_strides(backbone, where)
    weights = folder / "best.ckpt"
    if not weights.is_file():
        raise ModelLoadError(
            f"model folder '{folder}' has no best.ckpt",
            hint="copy the checkpoint next to training_config.yaml",
        )
    spec = _build_spec(
        folder=folder,
        mtype=mtype,
        skeleton=skeleton,
        btype=btype,
        backbone=backbone,
        heads=heads,
        preprocessing=_preprocessing(_dig(cfg, "data_config", "preprocessing") or {}),
        source_format="sleap-nn",
    )
    return ModelConfig(
        spec=spec,
        backbone_type=btype,
        backbone=backbone,
        heads=heads,
        weights_path=weights,
        folder=folder,
    )


# --- legacy SLEAP --------------------------------------------------------------------------
def skeleton_from_jsonpickle(d: Any) -> Skeleton:
    """Read a SLEAP jsonpickle'd networkx node-link skeleton without running jsonpickle.

    Objects tagged ``py/object`` or ``py/reduce`` are numbered 1, 2, … in document order, which
    is how ``{"py/id": n}`` back-references count them. Node names come from ``py/state``
    (a ``py/tuple`` ``[name, weight]`` or a dict with ``name``); edge type 1 is a body edge and
    2 a symmetry.
    """
    objects: list[Any] = []

    def node_name(obj: dict[str, Any]) -> str:
        state = obj.get("py/state")
        if isinstance(state, dict):
            if "py/tuple" in state:
                return str(state["py/tuple"][0])
            return str(state.get("name"))
        return str(state)

    def resolve(value: Any) -> Any:
        """Register objects (in document order) and return a plain value for ``value``."""
        if isinstance(value, dict):
            if "py/id" in value and len(value) == 1:
                idx = int(value["py/id"]) - 1
                return objects[idx] if 0 <= idx < len(objects) else None
            if "py/object" in value:
                slot = len(objects)
                objects.append(None)
                objects[slot] = ("node", node_name(value))
                return objects[slot]
            if "py/reduce" in value:
                args = value["py/reduce"]
                arg = args[1] if len(args) > 1 else None
                n = None
                if isinstance(arg, dict) and "py/tuple" in arg and arg["py/tuple"]:
                    n = arg["py/tuple"][0]
                slot = len(objects)
                objects.append(("enum", n))
                return objects[slot]
            if "py/tuple" in value:
                return [resolve(v) for v in value["py/tuple"]]
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    graph = resolve(d)
    if not isinstance(graph, dict):
        raise ModelLoadError("legacy skeleton in training_config.json is not a node-link graph")
    nodes: list[str] = []
    for entry in graph.get("nodes") or []:
        ref = entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(ref, tuple) and ref[0] == "node":
            nodes.append(str(ref[1]))
        elif isinstance(ref, dict) and "name" in ref:  # plain dicts from other writers
            nodes.append(str(ref["name"]))
        else:
            raise ModelLoadError("cannot read a node of the legacy skeleton (unknown format)")
    edges: list[tuple[str, str]] = []
    syms: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for link in graph.get("links") or graph.get("edges") or []:
        src, dst, etype = link.get("source"), link.get("target"), link.get("type")
        if not (isinstance(src, tuple) and isinstance(dst, tuple)):
            raise ModelLoadError("cannot read an edge of the legacy skeleton (unknown format)")
        kind = etype[1] if isinstance(etype, tuple) else 1
        pair = (str(src[1]), str(dst[1]))
        if kind == 2:
            if frozenset(pair) not in seen:
                seen.add(frozenset(pair))
                syms.append(pair)
        else:
            edges.append(pair)
    name = _dig(graph, "graph", "name") or ""
    return Skeleton.from_names(nodes, edges, syms, name=str(name))


def _legacy_heads(heads: dict[str, Any], where: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """Map SLEAP ≤1.4 ``model.heads`` to a sleap-nn model type and head parts (facts 1.3)."""
    kind = _first_non_null(
        heads,
        (
            "single_instance",
            "centroid",
            "centered_instance",
            "multi_instance",
            "multi_class_bottomup",
            "multi_class_topdown",
        ),
    )

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
        hint="supported: single_instance, centroid, centered_instance, multi_instance, "
        "multi_class_bottomup, multi_class_topdown",
    )


def _from_legacy(folder: Path, cfg: dict[str, Any]) -> ModelConfig:
    where = folder / "training_config.json"
    model = cfg.get("model") or {}
    backbone_block = model.get("backbone") or {}
    unet = backbone_block.get("unet")
    if unet is None:
        return _from_legacy_keras_only(folder, cfg)
    mtype, heads_raw = _legacy_heads(model.get("heads") or {}, where)
    skeletons = _dig(cfg, "data", "labels", "skeletons") or []
    if not skeletons:
        raise ModelLoadError(f"'{where}' has no data.labels.skeletons", hint="fix the config")
    skeleton = skeleton_from_jsonpickle(skeletons[0])
    heads = _complete_heads(heads_raw, skeleton, where)
    raw = {
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
    weights = folder / "best_model.h5"
    if not weights.is_file():
        raise ModelLoadError(
            f"legacy model folder '{folder}' has no best_model.h5",
            hint="copy the Keras weights next to training_config.json",
        )
    from pose_adapters.torch.legacy_h5 import read_in_channels

    raw["in_channels"] = read_in_channels(weights)
    backbone = _resolve_backbone("unet", raw, heads)
    if mtype == "multi_class_topdown":
        heads["class_vectors"]["output_stride"] = backbone["max_stride"]
    _check_strides(backbone, where)
    spec = _build_spec(
        folder=folder,
        mtype=mtype,
        skeleton=skeleton,
        btype="unet",
        backbone=backbone,
        heads=heads,
        preprocessing=_legacy_preprocessing(cfg),
        source_format="sleap-legacy",
    )
    return ModelConfig(
        spec=spec,
        backbone_type="unet",
        backbone=backbone,
        heads=heads,
        weights_path=weights,
        folder=folder,
    )


def _legacy_preprocessing(cfg: dict[str, Any]) -> Preprocessing:
    pre = dict(_dig(cfg, "data", "preprocessing") or {})
    return _preprocessing(
        {
            "ensure_rgb": pre.get("ensure_rgb"),
            "ensure_grayscale": pre.get("ensure_grayscale"),
            "max_height": pre.get("target_height"),
            "max_width": pre.get("target_width"),
            "scale": pre.get("input_scaling"),
            "crop_size": _dig(cfg, "data", "instance_cropping", "crop_size"),
        }
    )


#: SLEAP ≤1.4 backbones that only the Keras runtime runs: ``(max_stride, output_stride)``
#: defaults of their SLEAP config classes (pretrained encoders always reduce by 32).
LEGACY_KERAS_BACKBONES: dict[str, tuple[int, int]] = {
    "leap": (8, 1),
    "resnet": (32, 4),
    "hourglass": (64, 4),
    "pretrained_encoder": (32, 2),
}


def _from_legacy_keras_only(folder: Path, cfg: dict[str, Any]) -> ModelConfig:
    """A legacy model whose backbone is not a UNet: spec only, ``backbone="legacy:<name>"``.

    The network is not rebuilt in torch; the Keras runtime runs the graph in the ``.h5``
    (ADR-0072). Strides come from the backbone block (SLEAP's defaults where a key is
    absent), the input channels from the graph's input layer.
    """
    where = folder / "training_config.json"
    block = _dig(cfg, "model", "backbone") or {}
    name = _first_non_null(block, tuple(LEGACY_KERAS_BACKBONES)) or "none"
    if name not in LEGACY_KERAS_BACKBONES:
        raise ModelLoadError(
            f"legacy model '{folder}' uses backbone '{name}', which pose does not know",
            hint="supported SLEAP backbones: unet, " + ", ".join(LEGACY_KERAS_BACKBONES),
        )
    raw = dict(block[name] or {})
    default_max, default_out = LEGACY_KERAS_BACKBONES[name]
    if name == "pretrained_encoder":
        raw["max_stride"] = default_max
    mtype, heads_raw = _legacy_heads(_dig(cfg, "model", "heads") or {}, where)
    skeletons = _dig(cfg, "data", "labels", "skeletons") or []
    if not skeletons:
        raise ModelLoadError(f"'{where}' has no data.labels.skeletons", hint="fix the config")
    skeleton = skeleton_from_jsonpickle(skeletons[0])
    heads = _complete_heads(heads_raw, skeleton, where)
    weights = folder / "best_model.h5"
    if not weights.is_file():
        raise ModelLoadError(
            f"legacy model folder '{folder}' has no best_model.h5",
            hint="copy the Keras model next to training_config.json",
        )
    from pose_adapters.keras.graph import input_shape, read_model_config

    channels = input_shape(read_model_config(weights))[3]
    spatial = [int(h["output_stride"]) for p, h in heads.items() if p != "class_vectors"]
    backbone: dict[str, Any] = {
        **raw,
        "in_channels": int(channels or 1),
        "max_stride": max([int(raw.get("max_stride") or default_max), *spatial]),
        "output_stride": min([int(raw.get("output_stride") or default_out), *spatial]),
    }
    if mtype == "multi_class_topdown":
        heads["class_vectors"]["output_stride"] = backbone["max_stride"]
    _check_strides(backbone, where)
    btype = f"legacy:{name}"
    spec = _build_spec(
        folder=folder,
        mtype=mtype,
        skeleton=skeleton,
        btype=btype,
        backbone=backbone,
        heads=heads,
        preprocessing=_legacy_preprocessing(cfg),
        source_format="sleap-legacy",
    )
    return ModelConfig(
        spec=spec,
        backbone_type=btype,
        backbone=backbone,
        heads=heads,
        weights_path=weights,
        folder=folder,
    )


def needs_keras(config: ModelConfig) -> bool:
    """Whether only the Keras runtime can run this model (a non-UNet SLEAP backbone)."""
    return config.backbone_type.startswith("legacy:")


def log2_int(value: int) -> int:
    """``log2`` of a power of two as an int."""
    return round(math.log2(value))
