"""``import pose``: the public Python API and the one composition root (:mod:`pose.bootstrap`)
that library users and the CLI share (ADR-0136, ADR-0140).

>>> import pose
>>> predictor = pose.load_model("models/single_instance", tracker="simple")
>>> labels = predictor.predict(frames)            # (N, H, W, C) uint8, sio.Video, path…
>>> for lf in predictor.predict_streaming(gen):  # one sio.LabeledFrame per frame
...     ...
>>> lf = predictor.predict_frame(image)          # realtime: one frame in, poses out

Bring your own adapters (a camera SDK, a per-frame sink, a runtime, a tracker, a writer):

>>> predictor = pose.Predictor.from_model_paths("models/bottomup",
...                                             adapters=pose.Adapters(sink=publish))
>>> result = predictor.run_stream(camera)       # any object with __iter__ and close()

The names below load on first use, so ``import pose`` (and ``pose --help``, which reads
:data:`__version__`) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pose._api import load_model, result_arrays, run_inference
    from pose._metadata import ExportMetadata, load_metadata
    from pose._predictor import Predictor
    from pose.bootstrap import Adapters
    from pose_app.ports.stream import IterableStream

_LAZY = {
    "Adapters": "pose.bootstrap",
    "IterableStream": "pose_app.ports.stream",
    "ExportMetadata": "pose._metadata",
    "load_metadata": "pose._metadata",
    "Predictor": "pose._predictor",
    "load_model": "pose._api",
    "result_arrays": "pose._api",
    "run_inference": "pose._api",
}

__all__ = ["Adapters", "ExportMetadata", "IterableStream", "Predictor", "__version__",
           "load_metadata", "load_model", "result_arrays", "run_inference"]


def __getattr__(name: str) -> Any:
    if name in ("bootstrap", "runs"):  # the composition root, for callers building use cases
        return importlib.import_module(f"pose.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pose' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
