"""Fakes for fast modes (ports: ``CalibratedRuntime``, ``ModelLoader`` by precision).

:class:`FakeInt8Runtime` is the int8 runtime of a :class:`FakeRuntime` network: until it is
calibrated it runs exact; once calibrated its points move by ``shift`` px (the quantization
error; with ``shift_when_borrowed`` only while it uses a calibration made on another
source). Calibrations live in ``disk``, a dict a test shares between runtimes like the cache
folder between runs, by calibration source in the order made; ``calibrations`` counts the
calibrations this runtime ran (cache hits do not count).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pose_app.network_outputs import NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from tests.fakes.runtime import FakeRuntime

if TYPE_CHECKING:
    from pose_app.ports.models import ModelLoader
    from pose_app.ports.runtime import CalibratedRuntime


class FakeInt8Runtime:
    name = "fake-int8"

    def __init__(self, exact: FakeRuntime, disk: dict[str, Any], shift: float = 0.0,
                 shift_when_borrowed: bool = False) -> None:
        self.exact = exact
        self.disk = disk
        self.shift = shift
        self.shift_when_borrowed = shift_when_borrowed
        self.calibrated_on: str | None = None
        self.borrowed = False
        self.calibrations = 0
        self.sources: list[str] = []
        self.samples = 0
        self.frames = 0  # frames this runtime predicted

    @property
    def executes(self) -> str:
        return "fake int8" if self.calibrated_on else "fake f32 (not calibrated)"

    def needs_calibration(self) -> bool:
        return self.calibrated_on is None

    def use_calibration(self, source: str) -> str | None:
        self.sources.append(source)
        if source in self.disk:
            self.calibrated_on = source
            self.borrowed = False
        elif self.disk and self.calibrated_on is None:
            self.calibrated_on = list(self.disk)[-1]
            self.borrowed = True
        return self.calibrated_on

    def calibrate(self, source: str, samples: Sequence[np.ndarray]) -> None:
        self.calibrations += 1
        self.samples = sum(len(s) for s in samples)
        self.disk[source] = self.samples
        self.calibrated_on = source
        self.borrowed = False

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        self.frames += len(images)
        out = self.exact.infer(images)
        shifted = self.calibrated_on is not None and (self.borrowed or
                                                      not self.shift_when_borrowed)
        if shifted and self.shift:
            s = round(self.shift / self.exact.spec.confmap_stride)
            out = out.map(lambda v: np.roll(v, s, axis=-1))
        return out


class PrecisionLoader:
    """Loads the exact runtime for ``precision="fp32"`` and the fast one otherwise; counts
    the loads of each."""

    def __init__(self, exact: FakeRuntime, fast: Any) -> None:
        self.exact = exact
        self.fast = fast
        self.loads: list[str] = []

    def load(self, path: str, options: InferenceOptions) -> list[LoadedModel]:
        self.loads.append(options.precision)
        rt = self.exact if options.precision == "fp32" else self.fast
        return [LoadedModel(spec=self.exact.spec, runtime=rt)]


if TYPE_CHECKING:
    from tests.fakes.models import single_instance_spec

    _rt: CalibratedRuntime = FakeInt8Runtime(FakeRuntime(single_instance_spec(), lambda f: []),
                                             {})
    _loader: ModelLoader = PrecisionLoader(FakeRuntime(single_instance_spec(), lambda f: []),
                                           None)
