"""Read the ``state_dict`` of a Lightning ``best.ckpt`` without running pickled code.

``torch.load(weights_only=True)`` refuses sleap-nn checkpoints because they embed a pickled
OmegaConf config that references ``omegaconf``/``sleap_nn`` classes. Plain ``torch.load`` would
import those packages and run whatever callables the pickle names. Instead we hand torch a
restricted pickle module (ADR 0010):

* an allow-list of harmless globals (tensor/storage rebuild functions, ``OrderedDict``, basic
  builtin types) resolves normally;
* globals from ``omegaconf``, ``sleap_nn``, ``typing``, plus ``operator.getitem`` and
  ``collections.defaultdict`` resolve to :class:`Inert` placeholders that accept any
  arguments and state and run nothing;
* every other global (``os.system``, ``builtins.eval``, ``subprocess.Popen``…) raises
  :class:`UnsafeModelFileError` before it can be called.
"""

from __future__ import annotations

import collections
import pickle
import zipfile
from pathlib import Path
from typing import Any

from pose_domain.errors import InputNotFoundError, ModelLoadError, UnsafeModelFileError

_SAFE_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_parameter"),
        ("torch._utils", "_rebuild_parameter_with_state"),
        ("torch", "Size"),
        ("torch", "float32"),
        ("torch", "float16"),
        ("torch", "bfloat16"),
        ("torch", "float64"),
        ("torch", "int64"),
        ("torch", "int32"),
        ("torch", "uint8"),
        ("torch", "bool"),
        ("builtins", "list"),
        ("builtins", "dict"),
        ("builtins", "tuple"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "int"),
        ("builtins", "float"),
        ("builtins", "bool"),
        ("builtins", "str"),
        ("builtins", "bytes"),
        ("builtins", "bytearray"),
        ("builtins", "complex"),
        ("builtins", "slice"),
        ("builtins", "range"),
        ("__builtin__", "list"),
        ("__builtin__", "dict"),
        ("__builtin__", "tuple"),
        ("__builtin__", "set"),
        ("__builtin__", "frozenset"),
        ("__builtin__", "int"),
        ("__builtin__", "long"),
        ("__builtin__", "float"),
        ("__builtin__", "bool"),
        ("__builtin__", "str"),
        ("__builtin__", "unicode"),
        ("__builtin__", "bytes"),
    }
)
_INERT_MODULE_PREFIXES: tuple[str, ...] = ("omegaconf", "sleap_nn", "typing")
_INERT_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {("_operator", "getitem"), ("operator", "getitem"), ("collections", "defaultdict")}
)


class Inert:
    """Stand-in for a class the checkpoint names but we do not need (configs, type hints).

    Constructing, calling, subscripting or restoring state on it does nothing but record the
    state dict (never executed). Instances are never used for inference.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._inert_args = args

    def __call__(self, *args: Any, **kwargs: Any) -> Inert:
        return Inert()

    def __getitem__(self, key: Any) -> Inert:
        return Inert()

    def __setstate__(self, state: Any) -> None:
        self._inert_state = state

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def append(self, value: Any) -> None:
        pass

    def extend(self, values: Any) -> None:
        pass


def _inert_class(module: str, name: str) -> type:
    return type(name, (Inert,), {"__module__": f"pose_inert.{module}"})


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that only resolves allow-listed globals (see module docstring)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_GLOBALS:
            if module == "__builtin__":
                module = "builtins"
                name = {"long": "int", "unicode": "str"}.get(name, name)
            if module == "collections":
                return getattr(collections, name)
            return super().find_class(module, name)
        if (module, name) in _INERT_GLOBALS or module.split(".")[0] in _INERT_MODULE_PREFIXES:
            return _inert_class(module, name)
        raise UnsafeModelFileError(
            f"checkpoint references '{module}.{name}', which could run code while loading",
            hint="only load checkpoints from sources you trust; re-save weights with torch.save",
        )


class _RestrictedPickleModule:
    """The ``pickle_module`` protocol ``torch.load`` expects, with restricted unpickling."""

    Unpickler = RestrictedUnpickler
    UnpicklingError = pickle.UnpicklingError

    @staticmethod
    def load(file: Any, **kwargs: Any) -> Any:
        return RestrictedUnpickler(file, **kwargs).load()

    @staticmethod
    def loads(data: bytes, **kwargs: Any) -> Any:
        import io

        return RestrictedUnpickler(io.BytesIO(data), **kwargs).load()


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint's top-level dict on CPU with the restricted unpickler.

    Raises:
        InputNotFoundError: The file does not exist.
        UnsafeModelFileError: The pickle names a callable outside the allow-list.
        ModelLoadError: The file is truncated, corrupt or not a torch checkpoint.
    """
    import torch

    p = Path(path)
    if not p.is_file():
        raise InputNotFoundError(f"checkpoint '{p}' does not exist", hint="check the model path")
    try:
        obj = torch.load(
            str(p),
            map_location="cpu",
            pickle_module=_RestrictedPickleModule,  # type: ignore[arg-type]
            weights_only=False,
        )
    except UnsafeModelFileError as exc:
        exc.message = f"{p}: {exc.message}"
        raise
    except (
        pickle.UnpicklingError,
        zipfile.BadZipFile,
        EOFError,
        RuntimeError,
        ValueError,
        KeyError,
        OSError,
        AttributeError,
        TypeError,
        IndexError,
    ) as exc:
        msg = " ".join(str(exc).split())[:200]
        raise ModelLoadError(
            f"checkpoint '{p}' is corrupt or not a torch checkpoint ({type(exc).__name__}: {msg})",
            hint="re-copy best.ckpt from the training run",
        ) from exc
    if not isinstance(obj, dict):
        raise ModelLoadError(f"checkpoint '{p}' does not hold a dict", hint="pass a best.ckpt")
    return obj


def load_state_dict(path: str | Path) -> dict[str, Any]:
    """The checkpoint's ``state_dict`` with the Lightning ``model.`` prefix stripped.

    Returns:
        ``{name: float32 CPU tensor}`` in file order, e.g. ``backbone.encoders.0…weight``.

    Raises:
        ModelLoadError: No ``state_dict`` (and the file is not a bare state dict).
    """
    import torch

    ckpt = load_checkpoint(path)
    sd = ckpt.get("state_dict", ckpt)
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise ModelLoadError(
            f"checkpoint '{path}' has no state_dict of tensors", hint="pass a sleap-nn best.ckpt"
        )
    out: dict[str, Any] = collections.OrderedDict()
    for key, value in sd.items():
        name = str(key)
        out[name[len("model.") :] if name.startswith("model.") else name] = value
    return out
