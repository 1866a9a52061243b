"""The network runtime port: a trained network as a function of a uint8 image batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from pose_app.network_outputs import NetworkOutputs, RuntimeOutputs


class NetworkRuntime(Protocol):
    """Runs one network.

    ``infer`` takes a uint8 batch ``(B, C, H, W)`` already at the network's input size (resized,
    padded to ``max_stride``) and returns the heads' float32 maps as
    :class:`~pose_app.network_outputs.NetworkOutputs` (``confmaps``, ``pafs``, ``class_maps``,
    ``class_vectors``…); a sleap-nn export graph, which finds its peaks itself, returns
    :class:`~pose_app.network_outputs.DecodedOutputs`. Normalisation (``/255``) and channel
    fixing happen inside.
    """

    name: str

    def infer(self, images: np.ndarray) -> RuntimeOutputs: ...


class ImageResizer(Protocol):
    """Resizes uint8 images exactly as the reference does (bilinear, antialiased)."""

    def resize(self, images: np.ndarray, height: int, width: int) -> np.ndarray:
        """``images`` is ``(B, H, W, C)`` uint8; returns ``(B, height, width, C)`` uint8."""
        ...


@runtime_checkable
class CalibratedRuntime(Protocol):
    """A fast runtime fitted once to sample inputs before it runs (int8 calibration,
    ADR-0180). The adapter caches each fitted network under the model, the runtime's version
    and ``source`` (what the samples were: which data, which frames, which preprocessing), so
    a later run, Ray workers and ``--resume`` included, calibrates nothing.
    """

    name: str

    def infer(self, images: np.ndarray) -> NetworkOutputs: ...

    def needs_calibration(self) -> bool:
        """True until the runtime runs a calibrated network (always False for fp32/bf16)."""
        ...

    def use_calibration(self, source: str) -> str | None:
        """Switch to a cached calibration of this network: the one made on ``source``, else
        the newest made on another source. Returns the source of the calibration in use
        (None: none cached)."""
        ...

    def calibrate(self, source: str, samples: Sequence[np.ndarray]) -> None:
        """Fit to ``samples`` (uint8 network inputs, ``(B, C, H, W)`` each, as ``infer``
        gets them), cache the result under ``source`` and switch to it."""
        ...


def executes(runtime: object) -> str:
    """What a runtime really runs on, in words (``runtime.executes`` when it says, else its
    name): e.g. ``openvino int8 (AVX2; no VNNI)``."""
    said = getattr(runtime, "executes", None)
    return str(said) if said else str(getattr(runtime, "name", "unknown"))
