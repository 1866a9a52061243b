"""Reader for sleap-nn's ``training_config.yaml`` (parity notes §1.1): model type from the first
non-null head config, backbone from the first non-null backbone block, skeleton from
``data_config.skeletons[0]`` (sleap-io's dict form), weights in ``best.ckpt``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pose_adapters.model_config.assembly import ConfigReading, WeightsFile, preprocessing_from
from pose_adapters.model_config.defaults import (
    CANONICAL_HEADS,
    HEAD_PARTS,
    SLEAPNN_BACKBONES,
    SUPPORTED_BACKBONES,
    dig,
    first_non_null,
)
from pose_app.model import MODEL_TYPES, Backbone
from pose_domain.errors import ModelLoadError
from pose_domain.skeleton import Skeleton

#: The file name the reader's messages give (``.yml`` configs are read the same way).
CONFIG_NAME = "training_config.yaml"


def read_sleap_nn(folder: Path, cfg: dict[str, Any]) -> ConfigReading:
    """What a parsed ``training_config.yaml`` of ``folder`` says.

    Raises:
        ModelLoadError: No or an unsupported head / backbone, or no usable skeleton.
        KeyError, TypeError, …: A value of the wrong shape (the loader's guard reports these).
    """
    where = folder / CONFIG_NAME
    model_cfg = cfg.get("model_config") or {}
    mtype = _model_type(model_cfg.get("head_configs"), where)
    btype = first_non_null(model_cfg.get("backbone_config"), SLEAPNN_BACKBONES)
    if btype not in SUPPORTED_BACKBONES:
        raise ModelLoadError(
            f"backbone '{btype}' in '{where}' is not supported",
            hint=f"supported backbones: {', '.join(SUPPORTED_BACKBONES)}",
        )
    raw_heads = model_cfg["head_configs"][mtype]
    heads = {
        part: dict(raw_heads.get(part) or {})
        for part in HEAD_PARTS[mtype]
        if isinstance(raw_heads, dict) and raw_heads.get(part) is not None
    }
    skeletons = dig(cfg, "data_config", "skeletons") or []
    if not skeletons:
        raise ModelLoadError(f"'{where}' has no data_config.skeletons", hint="retrain or fix it")
    if not isinstance(skeletons, list) or not isinstance(skeletons[0], dict):
        raise ModelLoadError(
            f"data_config.skeletons in '{where}' is not a list of skeletons (nodes and edges)",
            hint="restore the training config written by training",
        )
    return ConfigReading(
        folder=folder,
        config_path=where,
        source_format="sleap-nn",
        model_type=mtype,
        skeleton=skeleton_from_sio_dict(skeletons[0]),
        heads=heads,
        backbone=Backbone(btype),
        backbone_block=dict(model_cfg["backbone_config"][btype]),
        preprocessing=preprocessing_from(dig(cfg, "data_config", "preprocessing") or {}),
        weights=WeightsFile(
            path=folder / "best.ckpt",
            missing=f"model folder '{folder}' has no best.ckpt",
            hint="copy the checkpoint next to training_config.yaml",
        ),
    )


def _model_type(head_configs: Any, where: Path) -> str:
    mtype = first_non_null(head_configs, CANONICAL_HEADS)
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


def skeleton_from_sio_dict(d: Any) -> Skeleton:
    """A :class:`Skeleton` from sleap-io's skeleton dict (``nodes``, ``edges`` with
    ``source``/``destination``, ``symmetries`` as pairs or dicts; node references by name or
    as ``{"name": …}``). Symmetries listed twice are kept once."""
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
