"""Embedding pose in Python: a notebook-style walk through ``import pose`` (run it as a script).

    python examples/embed_api.py

Each ``# %%`` block is a notebook cell (VS Code / Jupytext run them one by one).
"""

# %% Load a model: one folder, a [centroid, centered_instance] pair, or a `pose export` folder.
from pathlib import Path

import numpy as np
import sleap_io as sio

import pose

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
MODELS = DATA / "models" / "sleapnn"
VIDEO = DATA / "videos" / "centered_pair_small.mp4"

predictor = pose.load_model(
    [MODELS / "centroid", MODELS / "centered_instance"],
    peak_threshold=0.2,
    refinement="integral",  # or "local" (SLEAP 1.x quarter-pixel), None, True/False
    tracker="simple",  # None, "simple", "flow" (optical flow) or "global" (offline)
    tracker_window=5,
    progress_reporting="none",
    max_instances=2,  # any `pose track` flag by name
)

# %% Predict on a video file, or on frames already in memory: (N, H, W, C) uint8.
video = sio.load_video(str(VIDEO))
frames = np.stack([video[i] for i in range(8)])
labels = predictor.predict(frames)  # sio.Labels, frame indices 0..7
print(labels, [len(lf.instances) for lf in labels.labeled_frames])

# %% The same on the sio.Video itself (left open), on selected frames, as plain arrays.
batches = predictor.predict(video, frames=range(8), make_labels=False)  # one dict per batch
print(batches[0]["instance_peaks"].shape, batches[0]["n_valid"])  # (B, I, N, 2), (B,)

# %% Streaming: one sio.LabeledFrame per frame, memory independent of the stream's length.
def camera_like():
    for i in range(8):
        yield video[i]


for lf in predictor.predict_streaming(camera_like()):
    print(lf.frame_idx, [inst.track.name for inst in lf.instances])

# %% Realtime: one frame in, poses out, on this thread; identities carry across calls.
predictor.reset()
for i in range(4):
    lf = predictor.predict_frame(video[i])
    print(lf.frame_idx, [(inst.track.name, inst.numpy()[0].round(1)) for inst in lf.instances])

# %% Export folders: typed metadata (after `pose export MODEL -o DIR`).
# meta = pose.load_metadata("exported/")
# print(meta.model_type, meta.node_names, meta.input_dtype, meta.runtime_files)
# pose.load_model("exported/")  # the same Predictor
video.close()
