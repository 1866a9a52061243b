"""``import pose``: the Python API (the outermost layer, a thin facade over the composition
root; ADR-0136).

>>> import pose
>>> predictor = pose.load_model("models/single_instance", tracker="simple")
>>> labels = predictor.predict(frames)            # (N, H, W, C) uint8, sio.Video, path…
>>> for lf in predictor.predict_streaming(gen):  # one sio.LabeledFrame per frame
...     ...
>>> lf = predictor.predict_frame(image)          # realtime: one frame in, poses out
>>> pose.save(labels, "out.nwb")                 # any format of pose.output_formats()
>>> pose.convert("run.slp", "run.dlc.csv")
"""

from pose._formats import convert, input_kinds, output_formats, save
from pose._metadata import ExportMetadata, load_metadata
from pose._predictor import Predictor, load_model

__all__ = [
    "ExportMetadata",
    "Predictor",
    "convert",
    "input_kinds",
    "load_metadata",
    "load_model",
    "output_formats",
    "save",
]
