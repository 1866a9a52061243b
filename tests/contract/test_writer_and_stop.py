"""DatasetWriter and StopToken contracts: sleap-io's writer and the in-memory one; the
signal flag and the scripted fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from pose_app.dataset import Dataset
from pose_app.ports.output import DatasetWriter
from pose_app.ports.stop import StopFlag, StopToken
from tests.conftest import DATA
from tests.fakes.predict import MemoryWriter, StopAfter
from tests.fakes.video import FakeFrameSource


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    from pose_adapters.slp import SlpLabelsStore

    return SlpLabelsStore().load(str(DATA / "labels" / "minimal_instance.pkg.slp"))


@pytest.mark.parametrize("kind", ["fake", "sleap_io"])
def test_writer_keeps_what_it_was_given(kind: str, dataset: Dataset, tmp_path: Path) -> None:
    out = str(tmp_path / "out.slp")
    if kind == "fake":
        fake = MemoryWriter()
        writer: DatasetWriter = fake
        writer.write(dataset, out, "slp")
        got = fake.written[out][0]
    else:
        from pose_adapters.formats import FormatsWriter, registry
        from pose_adapters.slp import SlpLabelsStore

        writer = FormatsWriter(registry())
        writer.write(dataset, out, "slp")
        got = SlpLabelsStore().load(out)
    assert len(got.frames) == len(dataset.frames)
    assert [len(f.instances) for f in got.frames] == [len(f.instances) for f in dataset.frames]


def test_stop_tokens_start_clear_and_stay_set() -> None:
    flag = StopFlag()
    source = FakeFrameSource()
    fake = StopAfter(source, 1)
    tokens: list[StopToken] = [flag, fake]
    assert not any(t.is_set() for t in tokens)
    flag.set()
    source.read(0)
    assert all(t.is_set() for t in tokens)
    assert all(t.is_set() for t in tokens)
