"""``import pose``: the public Python API and the one composition root (:mod:`pose.bootstrap`)
that library users and the CLI share (ADR-0136, ADR-0140).

>>> import pose
>>> predictor = pose.load_model("models/single_instance", tracker="simple")
>>> labels = predictor.predict(frames)            # (N, H, W, C) uint8, sio.Video, path…
>>> for lf in predictor.predict_streaming(gen):  # one sio.LabeledFrame per frame
...     ...
>>> lf = predictor.predict_frame(image)          # realtime: one frame in, poses out
>>> pose.save(labels, "out.nwb")                 # any format of pose.output_formats()
>>> pose.convert("run.slp", "run.dlc.csv")

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
    from pose._evaluate import Evaluator
    from pose._export import (
        ExportedPredictor,
        ONNXPredictor,
        TensorRTPredictor,
        export_to_onnx,
        export_to_tensorrt,
    )
    from pose._formats import convert, input_kinds, output_formats, save
    from pose._inference import (
        BottomUpInferenceModel,
        InferenceModel,
        SingleInstanceInferenceModel,
        TopDownInferenceModel,
        VisualPredictor,
        find_head,
        get_keras_model_path,
        get_model_output_stride,
    )
    from pose._metadata import ExportMetadata, load_metadata
    from pose._predictor import Predictor
    from pose._predictors import (
        BottomUpMultiClassPredictor,
        BottomUpPredictor,
        CentroidPredictor,
        SingleInstancePredictor,
        TopDownMultiClassPredictor,
        TopDownPredictor,
    )
    from pose.bootstrap import Adapters
    from pose_app.network_outputs import NetworkOutputs
    from pose_app.ports.stream import IterableStream

_LAZY = {
    "Adapters": "pose.bootstrap",
    "IterableStream": "pose_app.ports.stream",
    "NetworkOutputs": "pose_app.network_outputs",  # what a caller's runtime returns
    "ExportMetadata": "pose._metadata",
    "load_metadata": "pose._metadata",
    "Predictor": "pose._predictor",
    "load_model": "pose._api",
    "result_arrays": "pose._api",
    "run_inference": "pose._api",
    # SLEAP 1.x sleap.nn.inference (docs/python_api.md)
    "SingleInstancePredictor": "pose._predictors",
    "TopDownPredictor": "pose._predictors",
    "TopDownMultiClassPredictor": "pose._predictors",
    "BottomUpPredictor": "pose._predictors",
    "BottomUpMultiClassPredictor": "pose._predictors",
    "CentroidPredictor": "pose._predictors",
    "InferenceModel": "pose._inference",
    "SingleInstanceInferenceModel": "pose._inference",
    "TopDownInferenceModel": "pose._inference",
    "BottomUpInferenceModel": "pose._inference",
    "VisualPredictor": "pose._inference",
    "find_head": "pose._inference",
    "get_model_output_stride": "pose._inference",
    "get_keras_model_path": "pose._inference",
    # sleap-nn evaluation and export
    "Evaluator": "pose._evaluate",
    "export_to_onnx": "pose._export",
    "export_to_tensorrt": "pose._export",
    "ExportedPredictor": "pose._export",
    "ONNXPredictor": "pose._export",
    "TensorRTPredictor": "pose._export",
    # file formats (docs/architecture.md: formats as adapters)
    "convert": "pose._formats",
    "input_kinds": "pose._formats",
    "output_formats": "pose._formats",
    "save": "pose._formats",
}

__all__ = [
    "Adapters",
    "BottomUpInferenceModel",
    "BottomUpMultiClassPredictor",
    "BottomUpPredictor",
    "CentroidPredictor",
    "Evaluator",
    "ExportMetadata",
    "ExportedPredictor",
    "InferenceModel",
    "IterableStream",
    "NetworkOutputs",
    "ONNXPredictor",
    "Predictor",
    "SingleInstanceInferenceModel",
    "SingleInstancePredictor",
    "TensorRTPredictor",
    "TopDownInferenceModel",
    "TopDownMultiClassPredictor",
    "TopDownPredictor",
    "VisualPredictor",
    "__version__",
    "convert",
    "export_to_onnx",
    "export_to_tensorrt",
    "find_head",
    "get_keras_model_path",
    "get_model_output_stride",
    "input_kinds",
    "load_metadata",
    "load_model",
    "output_formats",
    "result_arrays",
    "run_inference",
    "save",
]


_KERAS = ("a Keras layer of SLEAP 1.x; pose has no TensorFlow graph: predictor.inference_model "
          "runs the same step on a batch")
#: Names of the documents that pose does not provide, and why (docs/python_api.md).
_NOT_PROVIDED = {
    **dict.fromkeys(("InferenceLayer", "SingleInstanceInferenceLayer", "CentroidCrop",
                     "FindInstancePeaks", "BottomUpInferenceLayer"), _KERAS),
    **dict.fromkeys(("CentroidCropGroundTruth", "FindInstancePeaksGroundTruth"),
                    "a Keras layer of SLEAP 1.x; use TopDownPredictor.from_trained_models with "
                    "centroid_model_path=None or confmap_model_path=None"),
    **dict.fromkeys(("SingleInstanceONNXWrapper", "CentroidONNXWrapper", "TopDownONNXWrapper",
                     "BottomUpONNXWrapper", "build_base_metadata"),
                    "a sleap-nn export internal; use pose.export_to_onnx(predictor, path)"),
}


def __getattr__(name: str) -> Any:
    if name in ("bootstrap", "runs"):  # the composition root, for callers building use cases
        return importlib.import_module(f"pose.{name}")
    module = _LAZY.get(name)
    if module is None:
        why = _NOT_PROVIDED.get(name)
        if why is not None:  # ImportError keeps the reason through ``from pose import``
            raise ImportError(f"pose does not provide {name!r}: {why}", name=name)
        raise AttributeError(f"module 'pose' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
