"""The fakes under their first module name (older tests import them from here)."""

from __future__ import annotations

from tests.fakes.labels import InMemoryLabelsStore
from tests.fakes.models import FakeLoader, single_instance_spec
from tests.fakes.runtime import FakeRuntime, NearestResizer, gaussian_maps
from tests.fakes.video import FakeFrameSource

__all__ = [
    "FakeFrameSource",
    "FakeLoader",
    "FakeRuntime",
    "InMemoryLabelsStore",
    "NearestResizer",
    "gaussian_maps",
    "single_instance_spec",
]
