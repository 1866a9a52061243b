"""Executor contract: ``LocalExecutor``, the fake ``ShuffledExecutor`` and ``RayExecutor``.

Ray runs on a local two-CPU cluster started once for this module; it is marked slow (starting
Ray takes seconds), so ``-m "not slow"`` runs the contract on the in-process executors only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pose_app.ports.executor import Executor, Job, LocalExecutor
from pose_app.ports.progress import ProgressReporter
from pose_domain.errors import DecodeError
from tests.fakes import RecordingProgress, ShuffledExecutor


def work(job: Job, progress: ProgressReporter) -> dict[str, Any]:
    """Advances once per planned frame; ``bad*`` inputs fail (a domain and a plain error)."""
    if job.input_path == "bad-domain.mp4":
        raise DecodeError("frame 3 of bad-domain.mp4 could not be decoded", hint="re-encode it")
    if job.input_path == "bad-plain.mp4":
        raise ValueError("first line\nlast line")
    for _ in range(job.frames):
        progress.advance()
    return {"frames": job.frames, "key": job.key}


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             _node_ip_address="127.0.0.1", configure_logging=False,
             runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    try:
        yield
    finally:
        ray.shutdown()


EXECUTORS: dict[str, Callable[[], Executor]] = {
    "local": LocalExecutor,
    "fake": ShuffledExecutor,
}


@pytest.fixture(params=["local", "fake", pytest.param("ray", marks=pytest.mark.slow)])
def executor(request: pytest.FixtureRequest) -> Executor:
    if request.param == "ray":
        request.getfixturevalue("ray_cluster")
        from pose_adapters.ray_executor import RayExecutor

        return RayExecutor(num_cpus=1, max_retries=0)
    return EXECUTORS[request.param]()


def _run(executor: Executor, jobs: list[Job]) -> tuple[dict[str, Any], dict[str, str],
                                                      RecordingProgress]:
    done: dict[str, Any] = {}
    failed: dict[str, str] = {}
    progress = RecordingProgress()

    def on_done(job: Job, result: dict[str, Any]) -> None:
        assert job.key not in done and job.key not in failed
        done[job.key] = result

    def on_failed(job: Job, reason: str) -> None:
        assert job.key not in done and job.key not in failed
        failed[job.key] = reason

    executor.run(jobs, work, on_done, on_failed, progress)
    return done, failed, progress


def test_every_job_reports_once_and_a_failure_stops_no_other(executor: Executor) -> None:
    jobs = [Job(input_path=f"{n}.mp4", output_path=f"{n}.slp", frames=3) for n in "abc"]
    jobs.insert(1, Job(input_path="bad-domain.mp4", output_path="x.slp"))
    jobs.append(Job(input_path="bad-plain.mp4", output_path="y.slp"))
    done, failed, progress = _run(executor, jobs)
    assert done == {f"{n}.mp4": {"frames": 3, "key": f"{n}.mp4"} for n in "abc"}
    assert failed["bad-domain.mp4"].startswith("frame 3 of bad-domain.mp4 could not be decoded")
    assert failed["bad-plain.mp4"] == "ValueError: last line"
    assert all("\n" not in r for r in failed.values())
    assert progress.done == 9  # every advance reached the driver's reporter
    assert progress.runs == [] and progress.finished == 0  # start/finish belong to the caller


def test_chunks_of_one_input_are_separate_jobs(executor: Executor) -> None:
    from pose_app.batch import plan_chunks

    chunks = plan_chunks(0, 10, 4, 1)
    jobs = [Job(input_path="v.mp4", output_path="v.slp", chunk=c, part_path=f"v.{c.key}.slp",
                frames=c.stop - c.first) for c in chunks]
    done, failed, progress = _run(executor, jobs)
    assert failed == {}
    assert sorted(done) == sorted(j.key for j in jobs)
    assert progress.done == sum(j.frames for j in jobs)


def test_no_jobs(executor: Executor) -> None:
    assert _run(executor, [])[:2] == ({}, {})
