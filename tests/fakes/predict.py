"""Fakes for the prediction use case: scripted networks for every stage kind, a ramp frame
source, an in-memory chunk store and writer, and a stop token that trips after N frames."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from pose_app.dataset import Dataset
from pose_app.model import Backbone, ModelSpec, Preprocessing
from pose_app.network_outputs import RuntimeOutputs
from pose_app.ports.chunks import FrameRecord
from pose_app.ports.models import LoadedModel
from pose_domain.instance import Instance, LabeledFrame, Track
from pose_domain.skeleton import Skeleton
from tests.fakes.chunks import InMemoryChunkStore
from tests.fakes.ports import FakeFrameSource, gaussian_maps

if TYPE_CHECKING:
    from pose_app.ports.output import DatasetWriter
    from pose_app.ports.stop import StopToken
    from pose_app.ports.tracking import Tracker

class ScriptedRuntime:
    """A 'network' whose outputs per image come from a function of that image.

    ``per_image`` gets one ``(C, H, W)`` uint8 input and returns outputs without the batch axis
    (``confmaps (n_nodes, H/s, W/s)``...); they are stacked over the batch.
    """

    name = "fake"

    def __init__(self, per_image: Callable[[np.ndarray], RuntimeOutputs]) -> None:
        self.per_image = per_image
        self.calls = 0
        self.batch_sizes: list[int] = []

    def infer(self, images: np.ndarray) -> RuntimeOutputs:
        self.calls += 1
        self.batch_sizes.append(int(images.shape[0]))
        outs = [self.per_image(images[i]) for i in range(images.shape[0])]
        return type(outs[0]).from_named({k: np.stack([o.named()[k] for o in outs])
                                         for k in outs[0].named()})


def spec(path: str, model_type: str, nodes: Sequence[str], *, stride: int = 2,
         edges: Sequence[tuple[int, int]] = (), classes: Sequence[str] = (),
         crop_size: int | None = None, anchor_part: str | None = None) -> ModelSpec:
    """A model spec with ``stride`` for every head and ``max_stride`` 16."""
    return ModelSpec(
        path=path, model_type=model_type,
        skeleton=Skeleton(nodes=list(nodes), edges=list(edges)),
        backbone=Backbone.UNET, in_channels=1, max_stride=16, confmap_stride=stride,
        paf_stride=stride if model_type == "bottomup" else None,
        class_map_stride=stride if model_type == "multi_class_bottomup" else None,
        classes=tuple(classes), anchor_part=anchor_part,
        preprocessing=Preprocessing(crop_size=crop_size),
    )


def loaded(model_spec: ModelSpec, per_image: Callable[[np.ndarray], RuntimeOutputs]
           ) -> LoadedModel:
    return LoadedModel(spec=model_spec, runtime=ScriptedRuntime(per_image))


def blobs(image: np.ndarray, stride: int, centers: Sequence[tuple[float, float]]) -> np.ndarray:
    """Confidence maps ``(len(centers), H/stride, W/stride)`` for input-pixel ``centers``."""
    _, h, w = image.shape
    return gaussian_maps(h // stride, w // stride, [(x / stride, y / stride) for x, y in centers])


def one_channel(image: np.ndarray, stride: int,
                centers: Sequence[tuple[float, float]]) -> np.ndarray:
    """One map ``(1, H/stride, W/stride)`` holding a blob at every center (centroid models)."""
    return blobs(image, stride, centers).max(axis=0, keepdims=True)


def paf_along_x(image: np.ndarray, stride: int, rows_px: Sequence[float],
                x_range_px: tuple[float, float]) -> np.ndarray:
    """PAFs ``(2, H/s, W/s)`` of one edge pointing +x on each row of ``rows_px``."""
    _, h, w = image.shape
    pafs = np.zeros((2, h // stride, w // stride), np.float32)
    x0, x1 = (int(v / stride) for v in x_range_px)
    for y in rows_px:
        r = round(y / stride)
        pafs[0, max(r - 1, 0): r + 2, x0: x1 + 1] = 1.0
    return pafs


def class_maps_by_row(image: np.ndarray, stride: int, split_y_px: float) -> np.ndarray:
    """Class maps ``(2, H/s, W/s)``: class 0 above ``split_y_px``, class 1 below."""
    _, h, w = image.shape
    maps = np.zeros((2, h // stride, w // stride), np.float32)
    split = int(split_y_px / stride)
    maps[0, :split] = 0.95
    maps[1, split:] = 0.95
    return maps


def class_vector_by_pixel(image: np.ndarray, threshold: int) -> np.ndarray:
    """``(2,)`` class probabilities from the crop's first pixel (a ramp frame encodes x)."""
    return (np.array([0.9, 0.1], np.float32) if image[0, 0, 0] < threshold
            else np.array([0.1, 0.9], np.float32))


class RampFrameSource(FakeFrameSource):
    """Frames whose pixel value is their column ``x`` (so a crop knows where it came from)."""

    def read(self, frame_idx: int) -> np.ndarray:
        self.read_log.append(frame_idx)
        h, w, c = self.shape
        ramp = np.minimum(np.arange(w), 255).astype(np.uint8)
        return np.broadcast_to(ramp[None, :, None], (h, w, c)).copy()


class MemoryChunkStore(InMemoryChunkStore):
    """The contract-tested in-memory chunk store, plus what prediction tests look at."""

    def __init__(self) -> None:
        super().__init__()
        self.cleared = False

    @property
    def chunks(self) -> list[list[FrameRecord]]:
        return list(self.disk.get("chunks", []))

    def clear(self) -> None:
        super().clear()
        self.cleared = True

    @property
    def frames(self) -> list[tuple[int, int]]:
        return [(r.video_index, r.frame_idx) for c in self.chunks for r in c]


class ChunkStores:
    """A ``chunk_store_for`` factory that keeps one :class:`MemoryChunkStore` per output."""

    def __init__(self) -> None:
        self.stores: dict[str, MemoryChunkStore] = {}

    def __call__(self, output_path: str) -> MemoryChunkStore:
        return self.stores.setdefault(output_path, MemoryChunkStore())


class MemoryWriter:
    """:class:`pose_app.ports.output.DatasetWriter` that keeps what it was given."""

    def __init__(self) -> None:
        self.written: dict[str, tuple[Dataset, str]] = {}

    def write(self, dataset: Dataset, path: str, output_format: str) -> None:
        self.written[path] = (dataset, output_format)


class StopAfter:
    """A stop token that is set once ``n`` frames were read (count it from the source)."""

    def __init__(self, source: FakeFrameSource, n: int) -> None:
        self.source = source
        self.n = n

    def is_set(self) -> bool:
        return len(self.source.read_log) >= self.n

    def polled(self) -> None:
        pass


class NumberingTracker:
    """:class:`pose_app.ports.tracking.Tracker` that gives the k-th instance of every frame
    track k (identities by order, enough for wiring tests)."""

    def __init__(self) -> None:
        self._tracks: list[Track] = []
        self.resets = 0

    @property
    def tracks(self) -> list[Track]:
        return self._tracks

    def track(self, instances: Sequence[Instance], frame_idx: int,
              image: np.ndarray | None = None) -> list[Instance]:
        while len(self._tracks) < len(instances):
            self._tracks.append(Track(name=f"track_{len(self._tracks)}"))
        return [attrs.evolve(inst, track=self._tracks[k]) for k, inst in enumerate(instances)]

    def reset(self) -> None:
        self.resets += 1

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        return frames


if TYPE_CHECKING:
    _writer: DatasetWriter = MemoryWriter()
    _stop: StopToken = StopAfter(FakeFrameSource(), 1)
    _tracker: Tracker = NumberingTracker()
