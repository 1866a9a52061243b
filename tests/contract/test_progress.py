"""ProgressReporter contract: the JSON-lines and rich reporters, ``NullProgress`` and the fake.

The same calls go to each; where a reporter shows its count, the count read back must agree.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from pose_app.ports.progress import NullProgress, ProgressReporter
from tests.fakes import RecordingProgress

#: ``() -> (reporter, read the frames it shows as done, or None when it shows nothing)``.
Make = Callable[[], tuple[ProgressReporter, Callable[[], int | None]]]


def _fake() -> tuple[ProgressReporter, Callable[[], int | None]]:
    p = RecordingProgress()
    return p, lambda: p.done


def _null() -> tuple[ProgressReporter, Callable[[], int | None]]:
    return NullProgress(), lambda: None


def _json() -> tuple[ProgressReporter, Callable[[], int | None]]:
    from pose_adapters.progress import JsonProgress

    out = io.StringIO()

    def last() -> int | None:
        lines = [json.loads(x) for x in out.getvalue().splitlines() if x.strip()]
        return int(lines[-1]["n_processed"]) if lines else None

    return JsonProgress(interval=0.0, stream=out), last


def _rich() -> tuple[ProgressReporter, Callable[[], int | None]]:
    pytest.importorskip("rich")
    from pose_adapters.progress import RichProgress

    p = RichProgress()
    return p, lambda: p.done


REPORTERS: dict[str, Make] = {"fake": _fake, "null": _null, "json": _json, "rich": _rich}


@pytest.fixture(params=sorted(REPORTERS))
def reporter(request: pytest.FixtureRequest) -> tuple[ProgressReporter, Callable[[], int | None]]:
    return REPORTERS[request.param]()


def test_a_run_counts_every_advance(
    reporter: tuple[ProgressReporter, Callable[[], int | None]],
) -> None:
    p, shown = reporter
    p.start(10, "a.mp4")
    p.advance()
    p.advance(4)
    p.advance(0)
    p.finish()
    assert shown() in (None, 5)


def test_a_reporter_serves_one_run_after_another(
    reporter: tuple[ProgressReporter, Callable[[], int | None]],
) -> None:
    p, shown = reporter
    for total in (3, 2):
        p.start(total, "input")
        p.advance(total)
        p.finish()
        assert shown() in (None, total)


def test_an_empty_run(reporter: tuple[ProgressReporter, Callable[[], int | None]]) -> None:
    p, shown = reporter
    p.start(0)
    p.finish()
    assert shown() in (None, 0)
