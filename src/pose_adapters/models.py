"""Model loading: a model folder (sleap-nn, SLEAP legacy or a ``pose export`` folder) → spec +
the fastest runtime that gives parity-level predictions (ADR-0050, ADR-0054).

Runtime choice for ``--runtime auto``: TensorRT/ONNX Runtime on CUDA, else OpenVINO, else ONNX
Runtime, else eager torch. Conversions are cached twice: by the network (``pose_adapters.
onnx.convert.cached_onnx``) and by the model files' bytes, so a repeated run finds its ONNX
graph without importing torch or building the network at all (ADR-0054).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import attrs

from pose_app.backoff import with_backoff
from pose_app.model import ModelSpec
from pose_app.options import InferenceOptions, RuntimeName
from pose_app.ports.models import LoadedModel
from pose_app.ports.runtime import NetworkRuntime
from pose_domain.errors import InputNotFoundError, InvalidOptionError, PoseError

log = logging.getLogger("pose")

RUNTIMES: tuple[str, ...] = get_args(RuntimeName)  # declared once, with the flag
ONNX_KINDS = ("onnx", "openvino")


def is_export_dir(path: str) -> bool:
    return os.path.isdir(path) and os.path.exists(os.path.join(path, "export_metadata.json"))


def _gpu_present() -> bool:
    """True when an NVIDIA driver is visible (checked without importing torch)."""
    return os.path.exists("/proc/driver/nvidia/version") or bool(
        os.environ.get("CUDA_VISIBLE_DEVICES", "").strip() not in ("", "-1")
        and shutil.which("nvidia-smi")
    )


def _file_digest(paths: list[Path | str | None], extra: str) -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        if p is None:
            continue
        h.update(str(os.path.basename(p)).encode())
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:32]


class ModelFolderLoader:
    """:class:`pose_app.ports.models.ModelLoader` for every model folder kind."""

    def __init__(self, cache_dir: str | None = None) -> None:
        self.cache_dir = cache_dir

    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        """The model(s) in ``path``, each runtime wrapped in a :class:`BackoffRuntime` that
        halves its batch on out-of-memory (ADR-0133)."""
        return [attrs.evolve(m, runtime=with_backoff(m.runtime))
                for m in self._load(path, options)]

    def _load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        if not os.path.exists(path):
            raise InputNotFoundError(f"model not found: {path}",
                                     hint="give a model folder, best.ckpt or training_config")
        runtime = options.runtime
        if runtime not in RUNTIMES:
            raise InvalidOptionError(
                f"--runtime must be one of {', '.join(RUNTIMES)}, got '{runtime}'"
            )
        if is_export_dir(path):
            from pose_adapters.export import load_exported

            loaded = load_exported(path, runtime=runtime, device=options.device,
                                   precision=options.precision)
            return [LoadedModel(spec=spec, runtime=rt) for spec, rt in loaded]

        keras = self._keras(path, options)
        if keras is not None:
            return [keras]
        device = self._device(options.device)
        kind = self._auto_kind(device, options) if runtime == "auto" else runtime
        if kind in ONNX_KINDS:
            fast = self._from_file_cache(path, kind, device, options)
            if fast is not None:
                return [fast]
        return [self._build(path, kind, device, options, runtime == "auto")]

    # -- SLEAP ≤1.4 graphs on tf-keras (ADR-0072) ------------------------------------------
    @staticmethod
    def _keras(path: str, options: InferenceOptions) -> LoadedModel | None:
        """A Keras runtime for ``--runtime keras``, or for a legacy backbone torch cannot build
        (``spec.backbone.keras_only``) under ``--runtime auto``; None otherwise (torch path)."""
        from pose_adapters.model_config import load_model_config

        if options.runtime not in ("auto", "keras"):
            try:
                cfg = load_model_config(path)
            except PoseError:
                return None  # the torch build reports it
            if cfg.spec.backbone.keras_only:
                raise InvalidOptionError(
                    f"{path}: the SLEAP '{cfg.spec.backbone.value}' backbone runs only on the "
                    f"Keras runtime, not '{options.runtime}'",
                    hint="use --runtime keras (or auto) with pose[legacy] installed",
                )
            return None
        cfg = load_model_config(path)
        if options.runtime == "auto" and not cfg.spec.backbone.keras_only:
            return None
        if cfg.spec.source_format != "sleap-legacy":
            raise InvalidOptionError(
                f"--runtime keras runs SLEAP ≤1.4 .h5 models only; {path} is a sleap-nn model",
                hint="use --runtime auto, torch, onnx or openvino",
            )
        from pose_adapters.keras.runtime import KerasRuntime

        rt = KerasRuntime(cfg.weights_path, cfg.spec, device=options.device,
                          use_offsets=options.legacy_offset_refinement)
        return LoadedModel(spec=cfg.spec, runtime=rt)

    # -- torch-free path ------------------------------------------------------------------
    def _file_key(self, path: str, options: InferenceOptions) -> tuple[ModelSpec, str]:
        from pose_adapters.model_config import load_model_config
        from pose_adapters.onnx.convert import DEFAULT_OPSET, GRAPH_FORMAT

        cfg = load_model_config(path)
        config_files = sorted(p for p in Path(cfg.folder).glob("training_config.*"))
        files: list[Path | str | None] = [cfg.weights_path, *config_files,
                                          options.backbone_ckpt_path, options.head_ckpt_path]
        extra = f"{GRAPH_FORMAT}|{DEFAULT_OPSET}|{options.backbone_ckpt_path is not None}|" \
                f"{options.head_ckpt_path is not None}"
        return cfg.spec, _file_digest(files, extra)

    def _index_path(self, key: str) -> Path:
        from pose_adapters.onnx.convert import cache_root

        return cache_root(self.cache_dir) / "by-file" / key / "model.onnx"

    def _from_file_cache(self, path: str, kind: str, device: str,
                         options: InferenceOptions) -> LoadedModel | None:
        try:
            spec, key = self._file_key(path, options)
        except PoseError:
            return None  # let the full build report the problem
        onnx_path = self._index_path(key)
        if not onnx_path.is_file():
            return None
        try:
            rt = self._runtime_from_onnx(kind, onnx_path, device, options)
        except PoseError:
            if options.runtime != "auto":
                raise
            return None
        return LoadedModel(spec=spec, runtime=rt)

    def _runtime_from_onnx(self, kind: str, onnx_path: Path, device: str,
                           options: InferenceOptions) -> Any:
        if kind == "onnx":
            from pose_adapters.onnx.runtime import OnnxRuntime

            return OnnxRuntime(onnx_path, device=device)
        from pose_adapters.onnx.convert import cache_root
        from pose_adapters.openvino.runtime import OpenVinoRuntime, check_openvino

        check_openvino(device, options.precision)
        return OpenVinoRuntime(onnx_path, device=device, precision=options.precision,
                               cache_dir=os.fspath(cache_root(self.cache_dir) / "openvino"))

    def _remember(self, path: str, options: InferenceOptions, onnx_path: Path) -> None:
        """Link the network-keyed ONNX file under the file-keyed index."""
        try:
            _, key = self._file_key(path, options)
            target = self._index_path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            shutil.copyfile(onnx_path, tmp)
            os.replace(tmp, target)
        except (OSError, PoseError) as exc:  # the cache is an optimisation only
            log.debug("could not index %s: %s", onnx_path, exc)

    # -- full build -----------------------------------------------------------------------
    def _build(self, path: str, kind: str, device: str, options: InferenceOptions,
               auto: bool) -> LoadedModel:
        from pose_adapters.torch import build_network
        from pose_adapters.torch.runtime import TorchRuntime

        spec, module = build_network(
            path,
            backbone_ckpt_path=options.backbone_ckpt_path,
            head_ckpt_path=options.head_ckpt_path,
        )
        if kind == "torch":
            return LoadedModel(spec=spec, runtime=TorchRuntime(module, spec, device=device))
        try:
            from pose_adapters.accel import make_runtime

            rt: Any = make_runtime(kind, module, spec, device=device,
                                   precision=options.precision, cache_dir=self.cache_dir,
                                   batch_size=options.batch_size)
        except PoseError:
            if not auto:
                raise
            log.warning("runtime %s unavailable; falling back to torch", kind)
            rt = TorchRuntime(module, spec, device=device)
        except Exception as exc:
            if not auto:
                raise
            log.warning("runtime %s failed (%s); falling back to torch", kind, exc)
            rt = TorchRuntime(module, spec, device=device)
        if kind in ONNX_KINDS and rt.name != "torch":
            from pose_adapters.onnx.convert import cached_onnx

            self._remember(path, options, cached_onnx(module, spec, cache_dir=self.cache_dir))
        return LoadedModel(spec=spec, runtime=rt)

    @staticmethod
    def _device(device: str) -> str:
        d = (device or "auto").strip().lower()
        if d == "cpu" or (d == "auto" and not _gpu_present()):
            return "cpu"  # no need to import torch to learn there is no GPU
        from pose_adapters.torch.runtime import resolve_device

        return str(resolve_device(d))

    @staticmethod
    def _auto_kind(device: str, options: InferenceOptions) -> str:
        try:
            from pose_adapters.accel import available_runtimes
        except ImportError:
            return "torch"
        kinds = [k for k in available_runtimes(device, options.precision)
                 if k != "tensorrt" or options.precision != "fp32"]
        return kinds[0] if kinds else "torch"


class CallerRuntimeLoader:
    """:class:`pose_app.ports.models.ModelLoader` for a caller's own runtime (ADR-0142): the
    spec is read from the model folder's config (no weights, no torch), the network is run by
    ``make_runtime(spec)``."""

    def __init__(self, make_runtime: Callable[[ModelSpec], NetworkRuntime]) -> None:
        self.make_runtime = make_runtime

    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        from pose_adapters.model_config import load_model_spec

        if not os.path.exists(path):
            raise InputNotFoundError(f"model not found: {path}",
                                     hint="give a model folder, best.ckpt or training_config")
        spec = load_model_spec(path)
        return [LoadedModel(spec=spec, runtime=self.make_runtime(spec))]
