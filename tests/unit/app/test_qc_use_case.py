"""``pose qc`` and ``pose render`` use cases with fakes at the ports."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.dataset import Dataset, VideoRef
from pose_app.ports.progress import NullProgress
from pose_app.ports.qc import OverlayStyle
from pose_app.qc import QcRequest, QcUseCase, locate_video
from pose_app.render import RenderRequest, RenderUseCase
from pose_domain.errors import FrameSelectionError, InputNotFoundError, UnsupportedInputError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from tests.fakes.ports import InMemoryLabelsStore
from tests.fakes.qc import FakeRenderer, FakeThumbs, FakeWriter


def _dataset(swap_at: int | None = 30, n: int = 60, tracked: bool = True) -> Dataset:
    a, b = Track("a"), Track("b")
    frames = []
    for t in range(n):
        pa = np.array([[100 + 2 * t + 10, 100], [100 + 2 * t - 10, 100]], float)
        pb = np.array([[220 - 2 * t + 10, 120], [220 - 2 * t - 10, 120]], float)
        ka, kb = (a, b) if swap_at is None or t < swap_at else (b, a)
        if not tracked:
            ka = kb = None  # type: ignore[assignment]
        frames.append(LabeledFrame(0, t, [
            PredictedInstance.from_arrays(pa, np.ones(2), 0.9, track=ka),
            PredictedInstance.from_arrays(pb, np.ones(2), 0.8, track=kb)]))
    return Dataset(videos=[VideoRef(filename="/videos/fly.mp4", n_frames=n)], frames=frames,
                   tracks=[a, b], source_path="/data/pred.slp")


def _truth(n: int = 60) -> Dataset:
    m, f = Track("m"), Track("f")
    frames = []
    for t in range(n):
        pa = np.array([[100 + 2 * t + 10, 100], [100 + 2 * t - 10, 100]], float)
        pb = np.array([[220 - 2 * t + 10, 120], [220 - 2 * t - 10, 120]], float)
        frames.append(LabeledFrame(0, t, [Instance(points=pa, track=m),
                                          Instance(points=pb, track=f)]))
    return Dataset(videos=[VideoRef(filename="/videos/fly.mp4")], frames=frames, tracks=[m, f])


def _use_case(files: dict[str, Dataset], existing: set[str]) -> tuple[QcUseCase, FakeWriter,
                                                                      FakeThumbs]:
    writer, thumbs = FakeWriter(), FakeThumbs()
    uc = QcUseCase(loader=InMemoryLabelsStore(files), writer=writer, thumbnails=thumbs,
                   pair_videos=lambda gt, pred: [(0, 0)], exists=lambda p: p in existing)
    return uc, writer, thumbs


def test_report_ranks_the_swap_first_and_draws_thumbnails_from_the_stored_video() -> None:
    uc, writer, thumbs = _use_case({"pred.slp": _dataset()}, {"/videos/fly.mp4"})
    res = uc.run(QcRequest(predictions_path="pred.slp", output_dir="out", thumbnails=2))
    doc = writer.calls[0][1]
    first = doc["events"][0]
    assert (first["rank"], first["kind"], first["frame_idx"]) == (1, "swap", 30)
    assert sorted(first["tracks"]) == ["a", "b"]
    assert doc["summary"]["videos"][0]["video_found"] is True
    assert doc["summary"]["identity"] is None and "near_true_switch" not in first
    assert thumbs.paths == ["/videos/fly.mp4"]
    assert sorted(writer.calls[0][3]) == list(range(min(2, len(doc["events"]))))
    assert writer.calls[0][3][0].startswith(b"30:")
    assert res.warnings == () and res.written[-1] == "out/index.html"


def test_the_video_is_looked_for_next_to_the_labels_file() -> None:
    ds = _dataset()
    ds.videos[0].filename = "fly.mp4"
    path, tried = locate_video(ds, 0, None, lambda p: p == "/data/fly.mp4")
    assert path == "/data/fly.mp4" and tried[0] == "fly.mp4"
    assert locate_video(ds, 0, "/x.mp4", lambda p: False) == (None, ["/x.mp4"])


def test_a_missing_video_gives_a_warning_and_a_report_without_thumbnails() -> None:
    uc, writer, thumbs = _use_case({"pred.slp": _dataset()}, set())
    res = uc.run(QcRequest(predictions_path="pred.slp", output_dir="out"))
    assert thumbs.paths == [] and writer.calls[0][3] == {}
    assert len(res.warnings) == 1 and "video not found: /videos/fly.mp4" in res.warnings[0]
    assert "--video" in res.warnings[0] and "\n" not in res.warnings[0]
    assert writer.calls[0][1]["summary"]["videos"][0]["video_found"] is False


def test_ground_truth_adds_identity_metrics_and_true_switches() -> None:
    uc, writer, _ = _use_case({"pred.slp": _dataset(), "gt.slp": _truth()}, set())
    uc.run(QcRequest(predictions_path="pred.slp", output_dir="out", ground_truth_path="gt.slp",
                     thumbnails=0))
    doc = writer.calls[0][1]
    assert doc["summary"]["identity"]["id_switches"] == 2
    assert [s["frame_idx"] for s in doc["summary"]["true_switches"]] == [30, 30]
    assert doc["events"][0]["near_true_switch"] is True


def test_a_rerun_after_a_fix_says_what_is_gone_and_what_remains() -> None:
    uc, writer, _ = _use_case({"pred.slp": _dataset(), "fixed.slp": _dataset(swap_at=None)},
                              set())
    uc.run(QcRequest(predictions_path="pred.slp", output_dir="first", thumbnails=0))
    first = writer.calls[0][1]
    assert first["summary"]["n_likely"] == 1 and first["events"][0]["likely"] is True
    uc.run(QcRequest(predictions_path="fixed.slp", output_dir="second", thumbnails=0,
                     previous_path="first"))
    r = writer.calls[1][1]["summary"]["recheck"]
    assert [e["frame_idx"] for e in r["gone"]] == [30]
    assert r["remaining"] == [] and r["new"] == [] and r["previous"] == "first"
    uc.run(QcRequest(predictions_path="pred.slp", output_dir="third", thumbnails=0,
                     previous_path="first"))
    third = writer.calls[2][1]
    assert len(third["summary"]["recheck"]["remaining"]) == 1
    assert third["events"][0]["recheck"] == "remains"
    with pytest.raises(InputNotFoundError):
        uc.run(QcRequest(predictions_path="pred.slp", output_dir="x", previous_path="nope"))


def test_a_thumbnail_shows_the_frame_before_at_a_few_body_lengths() -> None:
    from pose_app.qc import shot_of
    from pose_domain.qc import detect_identity_events

    rep = detect_identity_events(_dataset().frames)
    shot = shot_of(rep.events[0], rep)
    assert (shot.frame_idx, shot.before) == (30, 29)
    assert shot.min_side == pytest.approx(4 * rep.body_length)
    assert shot.max_side == pytest.approx(8 * rep.body_length)


def test_untracked_predictions_are_refused_with_a_hint() -> None:
    uc, _, _ = _use_case({"pred.slp": _dataset(tracked=False)}, set())
    with pytest.raises(UnsupportedInputError, match="no tracked instance") as info:
        uc.run(QcRequest(predictions_path="pred.slp", output_dir="out"))
    assert "pose track" in (info.value.hint or "")


def test_render_resolves_frames_and_the_video() -> None:
    r = FakeRenderer()
    uc = RenderUseCase(loader=InMemoryLabelsStore({"p.slp": _dataset()}), renderer=r,
                       progress=NullProgress(), exists=lambda p: p == "/v.mp4")
    res = uc.run(RenderRequest(predictions_path="p.slp", output_path="o.mp4",
                               video_path="/v.mp4", frames="10-14,58-70",
                               style=OverlayStyle(trails=5)))
    assert r.calls[0][:3] == ("/v.mp4", [10, 11, 12, 13, 14, 58, 59], "o.mp4")
    assert res.n_frames == 7 and res.skipped == tuple(range(60, 71))
    with pytest.raises(FrameSelectionError):
        uc.run(RenderRequest(predictions_path="p.slp", output_path="o.mp4",
                             video_path="/v.mp4", frames="100-200"))


def test_render_without_a_video_is_a_one_line_input_error() -> None:
    uc = RenderUseCase(loader=InMemoryLabelsStore({"p.slp": _dataset()}),
                       renderer=FakeRenderer(), exists=lambda p: False)
    with pytest.raises(InputNotFoundError) as info:
        uc.run(RenderRequest(predictions_path="p.slp", output_path="o.mp4"))
    assert info.value.one_line() == ("video not found: /videos/fly.mp4 "
                                     "(pass the video with --video PATH)")
