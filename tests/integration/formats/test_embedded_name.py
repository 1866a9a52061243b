"""An embedded ``.slp`` records its own final name, not the temporary file it was written as
(sleap-nn's outputs record the ``-o`` name)."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import sleap_io as sio

from pose_adapters.formats.sleap import PkgSlpFormat, SlpFormat
from pose_adapters.formats.writer import write_format
from pose_adapters.slp.store import SlpLabelsStore
from pose_app.ports.formats import WriteContext

PKG = Path(__file__).resolve().parents[2] / "data" / "labels" / "minimal_instance.pkg.slp"


def _recorded(path: Path) -> list[str]:
    with h5py.File(path) as f:
        return [json.loads(v)["filename"] for v in f["videos_json"][:]]


def test_embedded_videos_record_the_output_name(tmp_path: Path) -> None:
    dataset = SlpLabelsStore().load(str(PKG))
    for fmt, name in ((SlpFormat(), "out.slp"), (PkgSlpFormat(), "out.pkg.slp")):
        out = tmp_path / name
        write_format(fmt, dataset, str(out), WriteContext(embed="true"))
        assert _recorded(out) == [str(out)]
        labels = sio.load_slp(str(out))
        assert labels.videos[0][0].shape == (384, 384, 1)
