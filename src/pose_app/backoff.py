"""Memory back-off (ADR-0133): a runtime that halves its batch on out-of-memory and retries.

Every network call of a run goes through :class:`pose_app.ports.runtime.NetworkRuntime`, the
frame batches of every model type and the crop batches of top-down alike. The runtime adapters
report out-of-memory (CUDA, ONNX Runtime / OpenVINO allocation failures, ``MemoryError``) as
:class:`pose_domain.errors.RuntimeOutOfMemory`; :class:`BackoffRuntime` catches it, splits the
same images into consecutive slices of half the size, remembers that size for every later
call, and says so once. Slices start at the first image of the call, so a network sees exactly
the slices that a run started with the smaller batch feeds it: the results are the same.
Only a batch of 1 that does not fit ends the run (one line).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from pose_app.network_outputs import RuntimeOutputs
from pose_app.ports.runtime import NetworkRuntime
from pose_domain.errors import RuntimeOutOfMemory

log = logging.getLogger("pose")


class BackoffRuntime:
    """A :class:`NetworkRuntime` that retries out-of-memory batches in halves.

    Args:
        inner: The runtime to protect.
        warn: Where the one warning goes (default: the ``pose`` logger).

    Attributes:
        limit: The largest batch known to fit (None until a call ran out of memory).
    """

    def __init__(self, inner: NetworkRuntime,
                 warn: Callable[[str], None] | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.limit: int | None = None
        self._warn = warn or log.warning
        self._warned = False
        self._first_failed: int | None = None

    def __getattr__(self, item: str) -> object:  # other runtime attributes (spec, device...)
        if item == "inner":
            raise AttributeError(item)
        return getattr(self.inner, item)

    def infer(self, images: np.ndarray) -> RuntimeOutputs:
        """Run ``images`` ``(B, C, H, W)``; on out-of-memory, in slices of half the size.

        Returns:
            The inner runtime's outputs for all ``B`` images (each ``(B, ...)``), equal to
            running the slices one after another.
        """
        n = int(images.shape[0])
        if self.limit is None or n <= self.limit:
            try:
                return self.inner.infer(images)
            except RuntimeOutOfMemory as exc:
                self._shrink(n, exc)
        return self._in_slices(images)

    def _in_slices(self, images: np.ndarray) -> RuntimeOutputs:
        parts: list[RuntimeOutputs] = []
        start, n = 0, int(images.shape[0])
        while start < n:
            size = self.limit or n
            part = images[start:start + size]
            try:
                parts.append(self.inner.infer(part))
            except RuntimeOutOfMemory as exc:
                self._shrink(len(part), exc)
                continue  # the same images again, in smaller slices
            self._say_once()
            start += len(part)
        return parts[0].joined(parts[1:])

    def _shrink(self, failed: int, exc: RuntimeOutOfMemory) -> None:
        if failed <= 1:
            raise RuntimeOutOfMemory(
                f"out of memory on the {self.name} runtime even with a batch of 1",
                batch=1,
                hint="free memory (other jobs on this GPU or host?), lower --max_height / "
                     "--max_width / --input_scale, or run with --device cpu",
            ) from exc
        new = max(1, failed // 2)
        self.limit = new if self.limit is None else min(self.limit, new)
        if self._first_failed is None:
            self._first_failed = failed
        elif self._warned:
            log.info("out of memory on a batch of %d (%s runtime); now batches of %d",
                     failed, self.name, self.limit)

    def _say_once(self) -> None:
        """One warning, once a smaller batch worked: the failed size and the one that fits."""
        if self._warned or self._first_failed is None:
            return
        self._warned = True
        self._warn(f"out of memory on a batch of {self._first_failed} ({self.name} runtime); "
                   f"retried the same frames and continuing in batches of {self.limit} "
                   f"(a smaller --batch_size avoids the retries)")


def with_backoff(runtime: NetworkRuntime) -> NetworkRuntime:
    """``runtime`` wrapped in a :class:`BackoffRuntime` (once)."""
    return runtime if isinstance(runtime, BackoffRuntime) else BackoffRuntime(runtime)
