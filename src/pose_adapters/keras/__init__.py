"""SLEAP ≤1.4 models on their original Keras graph (optional extra ``pose[legacy]``).

:mod:`pose_adapters.keras.graph` reads and vets the graph as JSON without TensorFlow;
:class:`pose_adapters.keras.runtime.KerasRuntime` runs it with tf-keras (imported lazily).
"""

from __future__ import annotations

from typing import Any

__all__ = ["KerasRuntime"]


def __getattr__(name: str) -> Any:
    if name == "KerasRuntime":
        from pose_adapters.keras.runtime import KerasRuntime

        return KerasRuntime
    raise AttributeError(name)
