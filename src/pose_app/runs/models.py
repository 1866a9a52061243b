"""The model cache of a worker process (cheap to import: Ray workers import it first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pose_app.options import InferenceOptions
    from pose_app.ports.models import LoadedModel


class ModelCache:
    """The models of one worker process, kept for its next job with the same model paths and
    inference options (a Ray worker runs many jobs and loads the networks once)."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._models: list[LoadedModel] = []

    def get(self, model_paths: tuple[str, ...], inference: InferenceOptions,
            load: Callable[[tuple[str, ...], InferenceOptions], list[LoadedModel]],
            ) -> list[LoadedModel]:
        key = repr((model_paths, inference))
        if key != self._key:
            self._key, self._models = None, []  # the old networks go before the new load
            self._models = load(model_paths, inference)
            self._key = key
        return self._models
