"""Out-of-memory from any runtime as one domain error (ADR-0133).

Each runtime reports exhaustion its own way: ``torch.cuda.OutOfMemoryError`` (TensorRT buffers
too), ONNX Runtime's ``RuntimeException`` "Failed to allocate memory", OpenVINO's
``RuntimeError`` with ``std::bad_alloc``, TensorFlow's ``ResourceExhaustedError`` and plain
``MemoryError`` from host allocations. :func:`oom_as_domain` turns all of them into
:class:`pose_domain.errors.RuntimeOutOfMemory`, which :class:`pose_app.backoff.BackoffRuntime`
retries with smaller batches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from pose_domain.errors import RuntimeOutOfMemory

_TYPES = ("OutOfMemoryError", "ResourceExhaustedError")
_MARKERS = ("out of memory", "failed to allocate", "bad_alloc", "cannot allocate memory",
            "oom when allocating", "alloc_failed", "resource_exhausted", "outofmemory")


def is_out_of_memory(exc: BaseException) -> bool:
    """True for the allocation failures of every supported runtime (by type, then message)."""
    if isinstance(exc, MemoryError):
        return True
    if any(t.__name__ in _TYPES for t in type(exc).__mro__):
        return True
    text = " ".join(str(exc).lower().split())
    return any(m in text for m in _MARKERS)


def as_out_of_memory(exc: BaseException, runtime: str, batch: int,
                     on_oom: Callable[[], None] | None = None) -> RuntimeOutOfMemory:
    """The domain error for an out-of-memory ``exc`` (after ``on_oom`` released caches)."""
    if on_oom is not None:
        with contextlib.suppress(Exception):
            on_oom()
    detail = " ".join(str(exc).split())[:160]
    return RuntimeOutOfMemory(
        f"out of memory on a batch of {batch} ({runtime} runtime): {detail}",
        batch=batch, hint="use a smaller --batch_size",
    )


@contextlib.contextmanager
def oom_as_domain(runtime: str, batch: int,
                  on_oom: Callable[[], None] | None = None) -> Iterator[None]:
    """Re-raise an out-of-memory inside the block as :class:`RuntimeOutOfMemory`.

    Args:
        runtime: The runtime's name (for the message).
        batch: Images in the failed call.
        on_oom: Run first to release what the failed call cached (``torch.cuda.empty_cache``).
    """
    try:
        yield
    except RuntimeOutOfMemory:
        raise
    except Exception as exc:
        if not is_out_of_memory(exc):
            raise
        raise as_out_of_memory(exc, runtime, batch, on_oom) from exc


def release_torch_cache() -> None:
    """Give cached CUDA blocks back after an out-of-memory (a no-op without CUDA)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
