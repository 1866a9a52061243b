"""``NetworkRuntime`` that runs a SLEAP ≤1.4 model on its original Keras graph (tf-keras).

The graph comes from ``best_model.h5``'s ``model_config`` after :func:`pose_adapters.keras.
graph.check_safe` has refused any layer that could run code, is rebuilt with
``tf_keras.models.model_from_config`` (no custom objects, so only built-in layers exist) and
gets its weights from the same file. Inputs are normalised as SLEAP did: uint8 ``/ 255`` to
float32 in ``[0, 1]`` (ADR-0070). TensorFlow is imported lazily, on first construction.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from pose_adapters._oom import oom_as_domain
from pose_adapters.keras.graph import check_safe, output_key, read_model_config
from pose_app.model import OFFSETS, ModelSpec
from pose_app.network_outputs import NetworkOutputs
from pose_domain.errors import (
    InferenceError,
    InvalidOptionError,
    MissingExtraError,
    ModelLoadError,
    PoseError,
)

log = logging.getLogger(__name__)

def import_tf_keras() -> tuple[Any, Any]:
    """``(tensorflow, tf_keras)``, imported on demand.

    Raises:
        MissingExtraError: tensorflow or tf-keras is not installed (names ``pose[legacy]``).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
        import tf_keras
    except ImportError as exc:
        raise MissingExtraError(
            "tensorflow and tf-keras", "legacy", "running a SLEAP ≤1.4 model on its Keras graph"
        ) from exc
    return tf, tf_keras


def _configure_threads(tf: Any) -> None:
    n = os.environ.get("POSE_NUM_THREADS", "")
    if n.isdigit() and int(n) > 0:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(n))
        except RuntimeError:  # TF already initialised: keep its threads
            pass


def _fix_channels(x: np.ndarray, in_channels: int) -> np.ndarray:
    """``(B, H, W, C)`` float32 → ``in_channels``: 1→3 repeated, 3→1 as luma (torch runtime)."""
    c = x.shape[-1]
    if c == in_channels:
        return x
    if c == 1 and in_channels == 3:
        return np.repeat(x, 3, axis=-1)
    if c == 3 and in_channels == 1:
        r, g, b = x[..., 0], x[..., 1], x[..., 2]
        return (r * np.float32(0.2989) + g * np.float32(0.587) + b * np.float32(0.114))[
            ..., None
        ].astype(np.float32)
    raise InvalidOptionError(
        f"network expects {in_channels} channel(s) but got {c}",
        hint="use 1-channel (grayscale) or 3-channel (RGB) input",
    )


class KerasRuntime:
    """Runs ``best_model.h5`` with tf-keras on the CPU.

    Args:
        path: ``best_model.h5`` (or its model folder).
        spec: The model's spec (``in_channels`` for channel fixing).
        device: ``cpu`` or ``auto``; a GPU device falls back to the CPU with a warning
            (the ``legacy`` extra installs tensorflow-cpu).
        use_offsets: Also return the ``OffsetRefinementHead`` output as ``offsets`` when the
            model has one (SLEAP 1.4 learned refinement; off by default, like the reference).

    Raises:
        MissingExtraError: tensorflow / tf-keras is missing.
        UnsafeModelFileError: The graph has a Lambda-like layer (refused before TF is imported).
        ModelLoadError: The file is unreadable or uses layers pose does not load.
    """

    name = "keras"

    def __init__(self, path: str | Path, spec: ModelSpec, device: str = "cpu",
                 use_offsets: bool = False) -> None:
        p = Path(path)
        if p.is_dir():
            from pose_adapters.keras.weights import keras_weights_path

            p = keras_weights_path(p)
        cfg = read_model_config(p)
        check_safe(cfg, p)  # before any Keras code sees the graph
        tf, keras = import_tf_keras()
        _configure_threads(tf)
        d = (device or "cpu").strip().lower()
        if d not in ("cpu", "auto"):
            log.warning("the Keras runtime runs on the CPU (requested device %s)", device)
        self.spec = spec
        self.path = p
        try:
            with tf.device("/CPU:0"):
                model = keras.models.model_from_config(cfg)
                model.load_weights(str(p))
        except PoseError:
            raise
        except Exception as exc:  # Keras raises many types for malformed files
            msg = " ".join(str(exc).split())[:200]
            raise ModelLoadError(f"Keras could not load '{p}': {msg}",
                                 hint="re-copy best_model.h5 from the SLEAP training run") from exc
        self.model = model
        self.keys: list[str | None] = []
        for out_name in model.output_names:
            key = output_key(out_name)
            if key == OFFSETS and not use_offsets:
                key = None
            if key is None and output_key(out_name) is None:
                log.info("Keras output %s of %s is not used", out_name, p)
            self.keys.append(key)
        if "confmaps" not in self.keys:
            raise ModelLoadError(f"'{p}' has no confidence-map head among its outputs "
                                 f"({', '.join(model.output_names)})",
                                 hint="pass the best_model.h5 of a SLEAP training run")
        in_c = model.inputs[0].shape[-1]
        self._tf = tf
        self._fn = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec([None, None, None, in_c], tf.float32)],
            reduce_retracing=True,
        )

    @property
    def output_names(self) -> list[str]:
        """The Keras model's output layer names, in output order."""
        return list(self.model.output_names)

    def run_nhwc(self, x: np.ndarray) -> list[np.ndarray]:
        """The Keras outputs (NHWC / ``(B, n)``) for a float32 NHWC batch, in output order."""
        with oom_as_domain(self.name, int(x.shape[0])):  # ADR-0133
            outs = self._fn(self._tf.convert_to_tensor(np.ascontiguousarray(x, dtype=np.float32)))
        if not isinstance(outs, list | tuple):
            outs = [outs]
        return [np.asarray(o.numpy(), dtype=np.float32) for o in outs]

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        """Run the graph on a batch.

        Args:
            images: ``(B, C, H, W)`` uint8 (C = 1 or 3; fixed against ``spec.in_channels``),
                ``H``, ``W`` padded to ``spec.max_stride``. Float input is accepted and scaled
                like the torch runtime (``/255`` when its max exceeds 1).

        Returns:
            float32 ``confmaps``/``pafs``/``class_maps`` (and ``offsets`` when enabled) as
            ``(B, ch, h, w)``, ``class_vectors`` as ``(B, n_classes)``.
        """
        if images.ndim != 4:
            raise InvalidOptionError(f"expected a (B, C, H, W) batch, got shape {images.shape}")
        if images.shape[0] == 0:
            return self._empty(images)
        x = np.ascontiguousarray(images.transpose(0, 2, 3, 1))
        if np.issubdtype(x.dtype, np.integer):
            x = x.astype(np.float32) / np.float32(255.0)
        else:
            x = x.astype(np.float32)
            if x.size and float(x.max()) > 1.0:
                x = x / np.float32(255.0)
        x = _fix_channels(x, self.spec.in_channels)
        try:
            outs = self.run_nhwc(x)
        except PoseError:
            raise
        except Exception as exc:
            msg = " ".join(str(exc).split())[:200]
            raise InferenceError(
                f"Keras inference failed on a batch of shape {images.shape}: {msg}",
                hint="check the input size (padded to max_stride)",
            ) from exc
        result: dict[str, np.ndarray] = {}
        for key, arr in zip(self.keys, outs, strict=True):
            if key is None:
                continue
            result[key] = np.ascontiguousarray(arr.transpose(0, 3, 1, 2)) if arr.ndim == 4 \
                else arr
        return NetworkOutputs.from_named(result)

    def _empty(self, images: np.ndarray) -> NetworkOutputs:
        """Outputs of a zero-length batch, with shapes from a one-image run."""
        one = np.zeros((1, *images.shape[1:]), dtype=np.uint8)
        return self.infer(one).map(lambda v: v[:0])
