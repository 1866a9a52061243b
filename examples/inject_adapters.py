"""Bring your own adapters: a camera SDK, a per-frame sink, a tracker and a writer, wired into
pose through the public API only (no pose source change, no subclassing; ADR-0142).

    python examples/inject_adapters.py

Each ``# %%`` block is a notebook cell.
"""

# %% A camera SDK stand-in: anything iterable with close() is a frame source.
import csv
import json
import socket
from pathlib import Path

import numpy as np
import sleap_io as sio

import pose

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
MODEL = DATA / "models" / "sleapnn" / "bottomup"
VIDEO = DATA / "videos" / "centered_pair_small.mp4"


class Camera:
    """What a vendor SDK looks like: open, grab frames until none is left, release."""

    def __init__(self, n_frames: int) -> None:
        self._video = sio.load_video(str(VIDEO))
        self._left = n_frames
        self._next = 0

    def grab(self):
        if self._left == 0:
            return None
        frame = self._video[self._next]
        self._next += 1
        self._left -= 1
        return frame

    def __iter__(self):
        while (frame := self.grab()) is not None:
            yield frame

    def close(self) -> None:
        self._video.close()


# %% A per-frame sink: publish every frame's poses as one JSON datagram (any callable works).
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
receiver.settimeout(1.0)


class UdpPublisher:
    def __init__(self, address) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def __call__(self, frame) -> None:  # frame: pose_domain.instance.LabeledFrame
        message = {"frame": frame.frame_idx,
                   "poses": [np.nan_to_num(i.points).round(1).tolist() for i in frame.instances],
                   "tracks": [i.track.name if i.track else None for i in frame.instances]}
        self.sock.sendto(json.dumps(message).encode(), self.address)


# %% A tracker of your own: anything with tracks, track(), reset() and finalize().
from pose_domain.instance import Track  # noqa: E402  (the domain types are public data)


class LeftToRight:
    """Identities by horizontal order (a stand-in for a lab's own tracker)."""

    def __init__(self) -> None:
        self.tracks: list[Track] = []

    def track(self, instances, frame_idx, image=None):
        ordered = sorted(instances, key=lambda i: float(np.nanmean(i.points[:, 0])))
        while len(self.tracks) < len(ordered):
            self.tracks.append(Track(name=f"animal_{len(self.tracks)}"))
        for inst, track in zip(ordered, self.tracks):
            inst.track = track
        return list(instances)

    def reset(self) -> None:
        pass

    def finalize(self, frames):
        return frames


# %% A writer of your own: one CSV row per instance instead of an .slp file.
class CsvWriter:
    def write(self, dataset, path: str, output_format: str) -> None:
        with open(path, "w", newline="") as fh:
            rows = csv.writer(fh)
            rows.writerow(["frame", "track", "score", "points"])
            for f in dataset.frames:
                for i in f.instances:
                    rows.writerow([f.frame_idx, i.track.name if i.track else "", f"{i.score:.3f}",
                                   json.dumps(np.nan_to_num(i.points).round(1).tolist())])


# %% Wire them in and run; nothing else changes.
adapters = pose.Adapters(
    sink=UdpPublisher(receiver.getsockname()),
    tracker_factory=lambda options, max_instances: LeftToRight(),
    writer=CsvWriter(),
)
predictor = pose.Predictor.from_model_paths(str(MODEL), adapters=adapters, progress="none",
                                            tracking=True, max_instances=2)
out = Path("camera.poses.csv")
result = predictor.run_stream(Camera(n_frames=8), output_path=str(out), source_name="camera0")
print(f"{result.frames_processed} frames at {result.fps:.1f} FPS -> {out}")
print("first datagram:", receiver.recv(65536).decode()[:120], "...")
print(out.read_text().splitlines()[:3])
out.unlink()
