"""ManifestStore contract: ``JsonManifestStore`` (a file) and ``InMemoryManifestStore``."""

from __future__ import annotations

from pathlib import Path

import pytest

from pose_app.batch import MANIFEST_NAME, Manifest
from pose_app.ports.manifest import ManifestStore
from tests.fakes import InMemoryManifestStore


@pytest.fixture(params=["fake", "json"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ManifestStore:
    if request.param == "fake":
        return InMemoryManifestStore()
    from pose_adapters.manifest import JsonManifestStore

    return JsonManifestStore(str(tmp_path / MANIFEST_NAME))


def _manifest() -> Manifest:
    m = Manifest()
    m.entry("a.mp4", "a.slp")
    m.entry("b.mp4", "b.slp").chunks = {"0-10": "done", "10-20": "pending"}
    m.set_status("a.mp4", "running")
    m.set_status("a.mp4", "failed", "DecodeError: frame 3\n  could not be decoded")
    return m


def test_nothing_saved_loads_as_none(store: ManifestStore) -> None:
    assert store.load() is None


def test_a_manifest_round_trips(store: ManifestStore) -> None:
    data = _manifest().to_dict()
    store.save(data)
    assert store.load() == data
    back = Manifest.from_dict(store.load())
    assert back.entries["a.mp4"].status == "failed"
    assert back.entries["a.mp4"].reason == "DecodeError: frame 3 could not be decoded"
    assert back.entries["b.mp4"].chunks == {"0-10": "done", "10-20": "pending"}


def test_the_last_save_wins(store: ManifestStore) -> None:
    m = _manifest()
    store.save(m.to_dict())
    m.set_status("a.mp4", "running")
    m.set_status("a.mp4", "done")
    store.save(m.to_dict())
    loaded = store.load()
    assert loaded is not None and loaded["inputs"]["a.mp4"]["status"] == "done"


def test_update_changes_the_latest_manifest(store: ManifestStore) -> None:
    seen: list[dict | None] = []

    def add_c(current: dict | None) -> dict:
        seen.append(current)
        m = Manifest.from_dict(current)
        m.entry("c.mp4", "c.slp")
        return m.to_dict()

    store.update(add_c)  # nothing saved yet: the change sees None
    store.save(_manifest().to_dict())  # another run's save in between
    store.update(add_c)
    assert seen[0] is None
    assert set(Manifest.from_dict(store.load()).entries) == {"a.mp4", "b.mp4", "c.mp4"}
