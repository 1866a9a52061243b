"""Fake implementations of pose_app ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from pose_app.dataset import Dataset, VideoRef
from pose_app.model import CONFMAPS, Backbone, ModelSpec, Preprocessing
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_domain.errors import InputNotFoundError
from pose_domain.skeleton import Skeleton


def gaussian_maps(h: int, w: int, centers: Sequence[tuple[float, float]], sigma: float = 1.5
                  ) -> np.ndarray:
    """``(len(centers), h, w)`` float32 maps, one Gaussian blob per channel (NaN → empty)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    maps = np.zeros((len(centers), h, w), np.float32)
    for c, (x, y) in enumerate(centers):
        if np.isnan(x):
            continue
        maps[c] = np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma**2))
    return maps


class FakeFrameSource:
    """Frames whose pixel value encodes the frame index; optionally undecodable frames."""

    def __init__(self, n_frames: int = 10, shape: tuple[int, int, int] = (64, 64, 1),
                 bad: Sequence[int] = ()) -> None:
        self._n = n_frames
        self._shape = shape
        self.bad = set(bad)
        self.read_log: list[int] = []
        self.closed = False

    @property
    def n_frames(self) -> int:
        return self._n

    @property
    def shape(self) -> tuple[int, int, int]:
        return self._shape

    def read(self, frame_idx: int) -> np.ndarray:
        self.read_log.append(frame_idx)
        return np.full(self._shape, frame_idx % 256, np.uint8)

    def iter_frames(self, frame_indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray | None]]:
        for i in frame_indices:
            yield i, (None if i in self.bad else self.read(i))

    def close(self) -> None:
        self.closed = True

    def video_ref(self) -> VideoRef:
        h, w, c = self._shape
        return VideoRef(filename="fake.mp4", n_frames=self._n, height=h, width=w, channels=c)


class FakeRuntime:
    """A 'network' whose confidence maps put node k of frame f at ``positions(f)[k]``.

    The frame index is read back from the pixel value the fake source wrote.
    """

    name = "fake"

    def __init__(self, spec: ModelSpec,
                 positions: Callable[[int], Sequence[tuple[float, float]]]) -> None:
        self.spec = spec
        self.positions = positions
        self.calls = 0

    def infer(self, images: np.ndarray) -> dict[str, np.ndarray]:
        self.calls += 1
        b, _, h, w = images.shape
        s = self.spec.confmap_stride
        out = np.stack([
            gaussian_maps(h // s, w // s,
                          [(x / s, y / s) for x, y in self.positions(int(images[i, 0, 0, 0]))])
            for i in range(b)
        ])
        return {CONFMAPS: out}


class FakeLoader:
    def __init__(self, models: dict[str, LoadedModel]) -> None:
        self.models = models

    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        if path not in self.models:
            raise InputNotFoundError(f"model not found: {path}")
        return [self.models[path]]


class NearestResizer:
    """Nearest-neighbour resize (the real one is antialiased bilinear)."""

    def resize(self, images: np.ndarray, height: int, width: int) -> np.ndarray:
        _, h, w, _ = images.shape
        ys = (np.arange(height) * h / height).astype(int)
        xs = (np.arange(width) * w / width).astype(int)
        return images[:, ys][:, :, xs]


class InMemoryLabelsStore:
    def __init__(self, datasets: dict[str, Dataset] | None = None,
                 videos: dict[str, FakeFrameSource] | None = None) -> None:
        self.datasets = datasets or {}
        self.videos = videos or {}
        self.saved: dict[str, Dataset] = {}

    def load(self, path: str) -> Dataset:
        if path not in self.datasets:
            raise InputNotFoundError(f"labels file not found: {path}")
        return self.datasets[path]

    def save(self, dataset: Dataset, path: str) -> None:
        self.saved[path] = dataset

    def open_video(self, video: VideoRef) -> FakeFrameSource:
        return self.videos[video.filename]


def single_instance_spec(n_nodes: int = 2, stride: int = 2) -> ModelSpec:
    return ModelSpec(
        path="single", model_type="single_instance",
        skeleton=Skeleton(nodes=[f"n{i}" for i in range(n_nodes)]),
        backbone=Backbone.UNET, in_channels=1, max_stride=16, confmap_stride=stride,
        preprocessing=Preprocessing(),
    )
