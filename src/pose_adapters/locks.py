"""One writer per output (ADR-0130): an exclusive lock file next to each output.

``<output>.lock`` is held with ``fcntl.flock`` for as long as a run writes ``<output>``, its
``<output>.partial/`` chunks or its ``<output>.chunks/`` parts. The file holds who holds it (pid,
host, start time, command) so a second run can name the first. The kernel drops a ``flock``
when its process dies, however it dies (SIGKILL, OOM killer, power loss), so a lock left by a
killed run is taken over by the next run without any clean-up. Where a file system does not
support ``flock`` (some cluster mounts), the lock falls back to the recorded pid: a lock whose
pid is dead on this host is stale; one recorded by another host is honoured (its owner cannot
be checked from here) and the message says how to clear it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

from pose_domain.errors import OutputLockedError, OutputWriteError

log = logging.getLogger("pose")

LOCK_SUFFIX = ".lock"
_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


def lock_path_for(output_path: str) -> str:
    """``<output>.lock``: the lock file of an output (and of its ``.partial`` folder)."""
    return os.path.abspath(output_path) + LOCK_SUFFIX


def _owner(command: str | None) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": _dt.datetime.now().isoformat(timespec="seconds"),
        "command": command if command is not None else " ".join(sys.argv),
    }


def _read_owner(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 1 << 16).decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _locked_error(output_path: str, owner: dict[str, Any], lock_file: str) -> OutputLockedError:
    who = f"pid {owner.get('pid', '?')} on host {owner.get('host', '?')}"
    if owner.get("started"):
        who += f", started {owner['started']}"
    command = " ".join(str(owner.get("command", "")).split())
    if command:
        who += f": {command[:160]}"
    return OutputLockedError(
        f"another pose run is writing {output_path} ({who})",
        hint=f"wait for it to finish or choose another -o; if that run is gone, delete {lock_file}",
    )


def _write_owner(fd: int, owner: dict[str, Any]) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(owner).encode())
    os.fsync(fd)


def _flock(fd: int) -> bool | None:
    """True: locked; False: held by another process; None: ``flock`` unsupported here."""
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return None
        raise
    return True


def _same_file(fd: int, path: str) -> bool:
    """The open lock file is still the one at ``path`` (not unlinked by a finishing owner)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (here.st_dev, here.st_ino)


class OutputLock:
    """An exclusive, process-lifetime lock on one output path.

    Use :meth:`acquire` (a context manager) or :meth:`take` / :meth:`release`.

    Attributes:
        output_path: The output the lock protects (absolute).
        path: The lock file (``<output>.lock``).
        command: Recorded as the owner's command (default: this process's argv).
    """

    def __init__(self, output_path: str, command: str | None = None) -> None:
        self.output_path = os.path.abspath(output_path)
        self.path = lock_path_for(output_path)
        self.command = command
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self) -> None:
        """Take the lock now or raise :class:`OutputLockedError` naming the holder."""
        if self._fd is not None:
            return
        for _ in range(20):  # retried only while finishing owners unlink the file under us
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError as exc:
                raise OutputWriteError(
                    f"output folder does not exist: {os.path.dirname(self.path)}",
                    hint="create it first",
                ) from exc
            except OSError as exc:
                raise OutputWriteError(
                    f"cannot create the lock file {self.path}: {exc.strerror or exc}",
                    hint="check that the output folder is writable",
                ) from exc
            try:
                got = _flock(fd)
                previous = _read_owner(fd)
                for _wait in range(10):  # the holder may not have written its name yet
                    if got is not False or previous:
                        break
                    time.sleep(0.05)
                    previous = _read_owner(fd)
                if got is False:
                    raise _locked_error(self.output_path, previous, self.path)
                if got is None and self._owned_elsewhere(previous):
                    raise _locked_error(self.output_path, previous, self.path)
                if not _same_file(fd, self.path):
                    os.close(fd)
                    continue
                if previous.get("pid") and previous.get("pid") != os.getpid():
                    log.info("taking over the lock of a finished or killed run (pid %s on %s)",
                             previous.get("pid"), previous.get("host"))
                _write_owner(fd, _owner(self.command))
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
            return
        raise _locked_error(self.output_path, {}, self.path)  # pragma: no cover - livelock

    @staticmethod
    def _owned_elsewhere(owner: dict[str, Any]) -> bool:
        """Without ``flock``: is the recorded owner a live process (or unknowable)?"""
        if not owner.get("pid"):
            return False
        if owner.get("host") != socket.gethostname():
            return True
        return owner["pid"] != os.getpid() and _pid_alive(owner["pid"])

    def release(self) -> None:
        """Remove the lock file and drop the lock (a no-op when not held)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if _same_file(fd, self.path):
                os.unlink(self.path)  # unlinked while still locked: no window for a third run
        except OSError:
            pass
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def acquire(self) -> Iterator[OutputLock]:
        self.take()
        try:
            yield self
        finally:
            self.release()


class FileOutputLocks:
    """:class:`pose_app.ports.locks.OutputLocks` with :class:`OutputLock` files."""

    def __init__(self, command: str | None = None) -> None:
        self.command = command

    @contextlib.contextmanager
    def hold(self, output_path: str) -> Iterator[None]:
        with OutputLock(output_path, self.command).acquire():
            yield


def output_lock(output_path: str, command: str | None = None) -> contextlib.AbstractContextManager[
        OutputLock]:
    """``with output_lock(path):`` hold the lock on ``path`` for the block."""
    return OutputLock(output_path, command).acquire()
