"""QC and render port contracts: sleap-io thumbnails / overlay renderer and the HTML report
writer against their fakes, on a shipped tracked file and its video."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from pose_app.dataset import Dataset
from pose_app.ports.progress import NullProgress
from pose_app.ports.qc import OverlayRenderer, OverlayStyle, ReportWriter, Shot, ThumbnailRenderer
from pose_domain.errors import InputNotFoundError
from tests.conftest import DATA
from tests.fakes.qc import FakeRenderer, FakeThumbs, FakeWriter

VIDEO = str(DATA / "videos" / "clip.mp4")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    from pose_adapters.slp import SlpLabelsStore

    return SlpLabelsStore().load(str(DATA / "labels" / "clip.predictions.slp"))


def _real_thumbs() -> ThumbnailRenderer:
    pytest.importorskip("skia")
    from pose_adapters.report import SleapIoThumbnails

    return SleapIoThumbnails()


def _real_renderer() -> OverlayRenderer:
    pytest.importorskip("skia")
    from pose_adapters.report import SleapIoOverlayRenderer

    return SleapIoOverlayRenderer()


def _real_writer() -> ReportWriter:
    from pose_adapters.report import HtmlReportWriter

    return HtmlReportWriter()


THUMBS: dict[str, Callable[[], ThumbnailRenderer]] = {"fake": FakeThumbs, "sleap_io": _real_thumbs}
RENDERERS: dict[str, Callable[[], OverlayRenderer]] = {
    "fake": lambda: FakeRenderer(n_frames=1500), "sleap_io": _real_renderer}
WRITERS: dict[str, Callable[[], ReportWriter]] = {"fake": FakeWriter, "html": _real_writer}


@pytest.mark.parametrize("kind", sorted(THUMBS))
def test_one_image_per_shot(kind: str, dataset: Dataset) -> None:
    shots = [Shot(frame_idx=10), Shot(frame_idx=20, tracks=("female",))]
    images = THUMBS[kind]().render(dataset, 0, VIDEO, shots)
    assert len(images) == len(shots)
    assert all(img is None or (isinstance(img, bytes) and img) for img in images)


@pytest.mark.parametrize("kind", sorted(THUMBS))
def test_a_shot_with_a_frame_before_is_one_image(kind: str, dataset: Dataset) -> None:
    shot = Shot(frame_idx=21, tracks=("female", "male"), before=20, min_side=150.0,
                max_side=300.0)
    (img,) = THUMBS[kind]().render(dataset, 0, VIDEO, [shot])
    assert isinstance(img, bytes) and img
    if kind == "sleap_io":  # two panels of 240 px and a 6 px gap, captioned
        import cv2

        pic = cv2.imdecode(np.frombuffer(img, np.uint8), cv2.IMREAD_COLOR)
        assert pic is not None and pic.shape[1] == 2 * 240 + 6 and pic.shape[0] == 240 + 20


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_renderer_counts_and_writes_the_frames_asked(kind: str, dataset: Dataset,
                                                     tmp_path: Path) -> None:
    renderer = RENDERERS[kind]()
    assert renderer.count_frames(VIDEO) == 1500
    n = renderer.render(dataset, 0, VIDEO, [0, 1, 2], str(tmp_path / "o.mp4"), OverlayStyle(),
                        NullProgress())
    assert n == 3


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_writer_returns_the_json_and_the_page(kind: str, tmp_path: Path) -> None:
    from pose_adapters.slp import SlpLabelsStore
    from pose_app.qc import QcRequest, QcUseCase

    made = FakeWriter()  # the use case's own document, without thumbnails
    QcUseCase(loader=SlpLabelsStore(), writer=made, thumbnails=FakeThumbs(),
              pair_videos=lambda gt, pred: [(0, 0)]).run(QcRequest(
        predictions_path=str(DATA / "labels" / "clip.predictions.slp"),
        output_dir=str(tmp_path), thumbnails=0))
    _, document, reports, _ = made.calls[0]
    writer = WRITERS[kind]()
    paths = writer.write(str(tmp_path / kind), document, reports, {})
    assert sorted(Path(p).name for p in paths) == ["index.html", "qc.json"]
    again = writer.read_previous(str(tmp_path / kind))
    assert [e["frame_idx"] for e in again["events"]] == [e["frame_idx"]
                                                        for e in document["events"]]
    with pytest.raises(InputNotFoundError):
        writer.read_previous(str(tmp_path / "nowhere" / "qc.json"))
