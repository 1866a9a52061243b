"""Fakes at the ports (ADR-0005, ADR-0120): honest, small implementations used instead of mocks.

One module per port family, each checked by mypy against its Protocol and by the contract
tests in ``tests/contract`` against the real adapter:

========================  ==========================================  ======================
module                    fakes                                       ports
========================  ==========================================  ======================
``video``                 ``FakeFrameSource``, ``FakeVideoOpener``    ``FrameSource``,
                                                                      ``VideoOpener``
``labels``                ``InMemoryLabelsStore``                     ``LabelsStore``
``runtime``               ``FakeRuntime``, ``NearestResizer``         ``NetworkRuntime``,
                                                                      ``ImageResizer``
``models``                ``FakeLoader``                              ``ModelLoader``
``chunks``                ``InMemoryChunkStore``                      ``ChunkStore``
``flow``                  ``StillFlow``                               ``OpticalFlow``
``progress``              ``RecordingProgress``                       ``ProgressReporter``
``batch``                 ``InMemoryManifestStore``,                  ``ManifestStore``,
                          ``ShuffledExecutor``, ``FakeInspector``     ``Executor``,
                                                                      ``InputInspector``
``stream``                ``FakeCamera``, ``CollectingSink``          ``FrameStream``,
                                                                      ``FrameSink``
========================  ==========================================  ======================
"""

from __future__ import annotations

from tests.fakes.batch import FakeInspector, InMemoryManifestStore, ShuffledExecutor
from tests.fakes.chunks import InMemoryChunkStore
from tests.fakes.flow import StillFlow
from tests.fakes.labels import InMemoryLabelsStore
from tests.fakes.models import FakeLoader, single_instance_spec
from tests.fakes.progress import RecordingProgress
from tests.fakes.runtime import FakeRuntime, NearestResizer, gaussian_maps
from tests.fakes.stream import CollectingSink, FakeCamera
from tests.fakes.video import FakeFrameSource, FakeVideoOpener

__all__ = [
    "CollectingSink",
    "FakeCamera",
    "FakeFrameSource",
    "FakeInspector",
    "FakeLoader",
    "FakeRuntime",
    "FakeVideoOpener",
    "InMemoryChunkStore",
    "InMemoryLabelsStore",
    "InMemoryManifestStore",
    "NearestResizer",
    "RecordingProgress",
    "ShuffledExecutor",
    "StillFlow",
    "gaussian_maps",
    "single_instance_spec",
]
