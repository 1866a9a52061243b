"""Find a model folder's training config, parse it, and hand it to its format's reader.

``training_config.yaml`` (or ``.yml``) wins over ``training_config.json`` (the latter marks a
SLEAP ≤1.4 model). Each reader runs under one guard: a value of the wrong shape or a missing
key becomes one :class:`ModelLoadError` naming the file (ADR-0091).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pose_adapters.model_config.assembly import ConfigReading, ModelConfig, assemble
from pose_adapters.model_config.legacy import legacy_config_path, read_legacy
from pose_adapters.model_config.sleap_nn import read_sleap_nn
from pose_app.model import ModelSpec
from pose_domain.errors import InputNotFoundError, ModelLoadError, PoseError

log = logging.getLogger(__name__)

Reader = Callable[[Path, dict[str, Any]], ConfigReading]


def resolve_model_dir(model_path: str | Path) -> Path:
    """Map a folder, ``*.ckpt``, ``*.h5`` or ``training_config.*`` path to its model folder.

    Any ``*.ckpt`` stands for its folder's ``best.ckpt`` (with a warning if it is another one).

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
    ) or path.name == "training_job.json":
        return path.parent
    raise ModelLoadError(
        f"'{path}' is not a model folder, checkpoint or training_config file",
        hint="pass the folder that holds training_config.yaml and best.ckpt",
    )


def load_model_config(model_path: str | Path) -> ModelConfig:
    """Parse a model folder's training config (no weights are read, except a SLEAP ≤1.4
    ``.h5``'s input channels).

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
            return _guarded(read_sleap_nn, folder, _load_yaml(folder / name), folder / name)
    legacy = legacy_config_path(folder)
    if legacy is not None:
        return _guarded(read_legacy, folder, _load_json(legacy), legacy)
    raise ModelLoadError(
        f"model folder '{folder}' has no training_config.yaml or training_config.json",
        hint="pass a folder written by sleap-nn training or SLEAP ≤1.4",
    )


def load_model_spec(model_path: str | Path) -> ModelSpec:
    """The :class:`ModelSpec` of a model folder, from its config only (cheap, no torch)."""
    return load_model_config(model_path).spec


#: What a config whose values have the wrong shape raises while being read.
_MALFORMED = (KeyError, IndexError, TypeError, AttributeError, ValueError, OverflowError,
              ZeroDivisionError, RecursionError)


def _guarded(read: Reader, folder: Path, cfg: dict[str, Any], where: Path) -> ModelConfig:
    """Read and assemble a config; a value of the wrong type or a missing key becomes one
    :class:`ModelLoadError` (found by fuzzing: the readers assume well-formed configs)."""
    try:
        return assemble(read(folder, cfg))
    except PoseError:
        raise
    except _MALFORMED as exc:
        kind = "missing key" if isinstance(exc, KeyError) else f"{type(exc).__name__}:"
        what = f"{kind} {exc}"
        raise ModelLoadError(
            f"training config '{where}' is malformed ({' '.join(what.split())[:200]})",
            hint="restore the training_config file written by training",
        ) from exc


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
