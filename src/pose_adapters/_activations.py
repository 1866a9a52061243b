"""Output activations applied on the host after an accelerated runtime (ADR-0053).

Graphs export class maps as logits (output ``class_maps_logits``) because runtimes' fused
sigmoid kernels round differently from torch: ONNX Runtime flushes tiny probabilities to 0
and OpenVINO returns ``1 - 2^-24`` where torch returns ``1.0``. Class assignment is a
Hungarian matching on these probabilities, so such ties flip identities. The sigmoid here is
torch's float32 formula, ``1 / (1 + exp(-x))``.
"""

from __future__ import annotations

import numpy as np

from pose_app.network_outputs import NetworkOutputs

LOGITS_SUFFIX = "_logits"
#: Outputs exported as logits, and the activation that turns them into the runtime port's keys.
LOGIT_OUTPUTS = ("class_maps",)


def graph_key(key: str) -> str:
    """The ONNX output name for a runtime-port key."""
    return key + LOGITS_SUFFIX if key in LOGIT_OUTPUTS else key


def sigmoid32(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(over="ignore"):
        e = np.exp(-x)
    return (np.float32(1.0) / (np.float32(1.0) + e)).astype(np.float32)


def finish_outputs(outputs: dict[str, np.ndarray]) -> NetworkOutputs:
    """A graph's outputs by name as the runtime port's value, ``*_logits`` outputs mapped to
    probabilities under their head's name."""
    for key in [k for k in outputs if k.endswith(LOGITS_SUFFIX)]:
        outputs[key[: -len(LOGITS_SUFFIX)]] = sigmoid32(outputs.pop(key))
    return NetworkOutputs.from_named(outputs)
