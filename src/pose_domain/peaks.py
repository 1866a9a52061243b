"""Peak sets: the confidence-map maxima a network's outputs reduce to."""

from __future__ import annotations

import attrs
import numpy as np


def _ro(value: object, dtype: type) -> np.ndarray:
    arr = np.array(value, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


@attrs.frozen(eq=False)
class PeakSet:
    """Peaks found in a batch of confidence maps, in the order they were found.

    Attributes:
        points: ``(n_peaks, 2)`` float64 ``(x, y)`` in map (grid) or pixel units.
        values: ``(n_peaks,)`` float64 confidence at the peak (the raw grid maximum).
        samples: ``(n_peaks,)`` int64 sample (batch item) index.
        channels: ``(n_peaks,)`` int64 channel (node) index.
    """

    points: np.ndarray = attrs.field(converter=lambda v: _ro(v, np.float64))
    values: np.ndarray = attrs.field(converter=lambda v: _ro(v, np.float64))
    samples: np.ndarray = attrs.field(converter=lambda v: _ro(v, np.int64))
    channels: np.ndarray = attrs.field(converter=lambda v: _ro(v, np.int64))

    def __attrs_post_init__(self) -> None:
        n = len(self.values)
        if self.points.shape != (n, 2) or len(self.samples) != n or len(self.channels) != n:
            raise ValueError("PeakSet arrays disagree in length")

    @classmethod
    def empty(cls) -> PeakSet:
        return cls(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.values)

    def select(self, mask: np.ndarray) -> PeakSet:
        return PeakSet(
            self.points[mask], self.values[mask], self.samples[mask], self.channels[mask]
        )

    def for_sample(self, sample: int) -> PeakSet:
        return self.select(self.samples == sample)

    def scaled(self, factor: float) -> PeakSet:
        return PeakSet(self.points * factor, self.values, self.samples, self.channels)
