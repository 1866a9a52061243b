"""OutputLocks contract: the flock-held lock files and the in-memory fake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pose_app.ports.locks import OutputLocks
from pose_domain.errors import OutputLockedError
from tests.fakes.locks import MemoryLocks


def _files() -> OutputLocks:
    from pose_adapters.locks import FileOutputLocks

    return FileOutputLocks()


LOCKS: dict[str, Callable[[], OutputLocks]] = {"fake": MemoryLocks, "flock": _files}


@pytest.fixture(params=sorted(LOCKS))
def locks(request: pytest.FixtureRequest) -> OutputLocks:
    return LOCKS[request.param]()


def test_one_holder_at_a_time_then_free_again(locks: OutputLocks, tmp_path: Path) -> None:
    out = str(tmp_path / "out.slp")
    with locks.hold(out):
        with pytest.raises(OutputLockedError), locks.hold(out):
            pass
        with locks.hold(str(tmp_path / "other.slp")):  # other outputs stay free
            pass
    with locks.hold(out):  # released
        pass
