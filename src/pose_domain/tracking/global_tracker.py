"""Offline identity tracking over the whole video (``--tracker global``). Placeholder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from pose_domain.instance import Instance, LabeledFrame, Track


@attrs.frozen(kw_only=True)
class GlobalConfig:
    n_identities: int | None = None


class GlobalTracker:
    def __init__(self, config: GlobalConfig | None = None) -> None:
        self.config = config or GlobalConfig()
        self._tracks: list[Track] = []

    @property
    def tracks(self) -> list[Track]:
        return list(self._tracks)

    def track(
        self, instances: Sequence[Instance], frame_idx: int, image: Any = None
    ) -> list[Instance]:
        return list(instances)

    def finalize(self, frames: list[LabeledFrame]) -> list[LabeledFrame]:
        return frames
