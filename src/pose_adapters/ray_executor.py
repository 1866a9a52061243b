"""Running batch jobs as Ray tasks (ADR-0060); the only module that imports ``ray``.

Each job is one Ray task with its resource request (``num_cpus``, ``num_gpus``) and
``max_retries``: a task whose worker process dies (killed, node lost) is re-run by Ray; an
exception raised by the job itself is not retried (it would fail again) and is reported as the
input's one-line reason. Progress flows from every task to one small actor that the driver polls,
so the cluster shows as one bar.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from pose_app.ports.executor import Job, error_line
from pose_app.ports.progress import ProgressReporter, SilentExtras
from pose_app.ports.stop import StopToken
from pose_domain.errors import InvalidOptionError, MissingExtraError

POLL_SECONDS = 0.25
CANCEL_WAIT = 3.0  # seconds a stopped driver waits for cancelled tasks to end


def import_ray() -> Any:
    """``ray``, or a one-line :class:`MissingExtraError` naming ``pose[ray]``."""
    try:
        import ray
    except ImportError as exc:
        raise MissingExtraError("ray", "ray", "--executor ray") from exc
    return ray


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not minutes, when nothing listens at ``host:port`` (Ray retries long)."""
    import socket

    target = address.split("://", 1)[-1]
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        return  # let Ray judge other address forms
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise InvalidOptionError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}",
            hint="start it with 'ray start --head', or drop --ray-address to run locally",
        ) from exc


class _ActorProgress(SilentExtras):
    """A task-side reporter: counts frames and sends them to the progress actor now and then."""

    def __init__(self, counter: Any, key: str) -> None:
        self.counter = counter
        self.key = key
        self.pending = 0
        self.last = 0.0

    def start(self, total: int, description: str = "") -> None:
        self.counter.reset.remote(self.key)  # a retried task starts its count again

    def advance(self, n: int = 1) -> None:
        self.pending += n
        now = time.monotonic()
        if now - self.last >= POLL_SECONDS:
            self.flush()
            self.last = now

    def flush(self) -> None:
        if self.pending:
            self.counter.add.remote(self.key, self.pending)
            self.pending = 0

    def finish(self) -> None:
        self.flush()


class _Counter:
    """Frames done per job (the actor's state)."""

    def __init__(self) -> None:
        self.done: dict[str, int] = {}

    def add(self, key: str, n: int) -> None:
        self.done[key] = self.done.get(key, 0) + n

    def reset(self, key: str) -> None:
        self.done[key] = 0

    def total(self) -> int:
        return sum(self.done.values())


def _run_task(
    work: Callable[[Job, ProgressReporter], dict[str, Any]], job: Job, counter: Any
) -> dict[str, Any]:
    progress = _ActorProgress(counter, job.key)
    progress.start(job.frames)
    try:
        return work(job, progress)
    finally:
        progress.finish()


class RayExecutor:
    """:class:`pose_app.ports.executor.Executor` on a Ray cluster.

    Attributes:
        address: ``ray.init`` address (None: start a new Ray inside this command, the embedded
            default; ``auto`` or ``host:port``: join a running cluster).
        num_cpus: CPUs requested per task.
        num_gpus: GPUs requested per task (fractions share a GPU).
        max_retries: Re-runs of a task whose worker died.
        init_kwargs: Extra ``ray.init`` arguments (tests: ``num_cpus``).
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        num_cpus: float = 1.0,
        num_gpus: float = 0.0,
        max_retries: int = 3,
        init_kwargs: dict[str, Any] | None = None,
        stop: StopToken | None = None,
    ) -> None:
        if num_cpus < 0 or num_gpus < 0 or max_retries < 0:
            raise InvalidOptionError(
                "--cpus-per-task, --gpus-per-task and --max-retries must not be negative",
                hint="e.g. --gpus-per-task 1 --max-retries 3",
            )
        self.ray = import_ray()
        self.address = address
        if address and address not in ("auto", "local"):
            _check_reachable(address)  # before any planning or progress output
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self.max_retries = max_retries
        self.init_kwargs = dict(init_kwargs or {})
        self.stop: StopToken | None = stop  # polled: once set, nothing new starts (ADR-0131)

    def _init(self) -> bool:
        """Connect (or start); True when this call did it (so ``run`` shuts down after)."""
        ray = self.ray
        if ray.is_initialized():
            return False
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "logging_level": logging.WARNING,
            "log_to_driver": False,
            "configure_logging": True,
        }
        kwargs.update(self.init_kwargs)
        if self.address:
            kwargs.pop("num_cpus", None)
            kwargs.pop("num_gpus", None)
            kwargs.pop("include_dashboard", None)
        keep = None  # ray.init replaces the driver's SIGTERM handler with sys.exit
        if self.stop is not None and threading.current_thread() is threading.main_thread():
            keep = signal.getsignal(signal.SIGTERM)
        try:
            # "local": always a new embedded instance, never a stale cluster that an earlier
            # `ray start` recorded in /tmp/ray (ray.init() without an address would try it)
            ray.init(address=self.address or "local", **kwargs)
        except ConnectionError as exc:
            raise InvalidOptionError(
                f"cannot reach the Ray cluster at {self.address}: {exc}",
                hint="start it with 'ray start --head', or drop --ray-address to run locally",
            ) from exc
        finally:
            if keep is not None:  # the stop token's handler stays (ADR-0131); ray.shutdown
                signal.signal(signal.SIGTERM, keep)  # in run() still ends the embedded cluster
        return True

    def run(
        self,
        jobs: Sequence[Job],
        work: Callable[[Job, ProgressReporter], dict[str, Any]],
        on_done: Callable[[Job, dict[str, Any]], None],
        on_failed: Callable[[Job, str], None],
        progress: ProgressReporter,
    ) -> None:
        ray = self.ray
        if self.stop is not None:
            self.stop.polled()  # this driver polls the token (ADR-0131)
        started = self._init()
        try:
            counter = ray.remote(num_cpus=0)(_Counter).remote()
            task = ray.remote(_run_task).options(
                num_cpus=self.num_cpus,
                num_gpus=self.num_gpus,
                max_retries=self.max_retries,
                retry_exceptions=False,
            )
            work_ref = ray.put(work)
            pending = {task.remote(work_ref, job, counter): job for job in jobs}
            seen = 0
            while pending:
                if self.stop is not None and self.stop.is_set():
                    self._cancel(pending, on_done)
                    break
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_SECONDS)
                seen = self._poll(counter, seen, progress)
                for ref in ready:
                    job = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayTaskError as exc:
                        on_failed(job, error_line(exc.cause if exc.cause else exc))
                        continue
                    except ray.exceptions.RayError as exc:  # worker/node lost past retries
                        on_failed(job, f"task lost after {self.max_retries} retries: "
                                       f"{error_line(exc)}")
                        continue
                    on_done(job, result)
            self._poll(counter, seen, progress)
        finally:
            if started:
                ray.shutdown()

    def _cancel(self, pending: dict[Any, Job],
                on_done: Callable[[Job, dict[str, Any]], None]) -> None:
        """Stop: queued tasks never start, running ones are interrupted (their persisted
        chunks stay for ``--resume``); tasks that finish meanwhile still count as done."""
        ray = self.ray
        for ref in pending:
            try:
                ray.cancel(ref, force=False)
            except Exception:  # already finished or gone
                pass
        ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=CANCEL_WAIT)
        for ref in ready:
            try:
                result = ray.get(ref, timeout=1)
            except Exception:  # cancelled: stays pending in the manifest
                continue
            on_done(pending[ref], result)

    def _poll(self, counter: Any, seen: int, progress: ProgressReporter) -> int:
        try:
            total = int(self.ray.get(counter.total.remote(), timeout=5))
        except Exception:  # progress is best effort
            return seen
        if total > seen:
            progress.advance(total - seen)
            return total
        return seen
