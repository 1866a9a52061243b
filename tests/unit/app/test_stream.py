"""StreamUseCase with fakes: a camera SDK stand-in in, a per-frame sink out (ADR-0141)."""

from __future__ import annotations

import numpy as np

from pose_app.options import FrameSelection, InferenceOptions, TrackingOptions
from pose_app.ports.models import LoadedModel
from pose_app.ports.stop import StopFlag
from pose_app.stream import StreamRequest, StreamUseCase
from pose_app.track import build_tracker
from tests.fakes.ports import FakeRuntime, NearestResizer, single_instance_spec
from tests.fakes.predict import MemoryWriter
from tests.fakes.stream import CollectingSink, FakeCamera


def _positions(frame: int) -> list[tuple[float, float]]:
    if frame % 4 == 0:  # nothing in view: no peak above the threshold
        return [(-1000.0, -1000.0), (-1000.0, -1000.0)]
    return [(10.0 + frame, 20.0), (30.0, 40.0 - frame)]


def _models() -> list[LoadedModel]:
    runtime = FakeRuntime(single_instance_spec(), _positions)
    return [LoadedModel(spec=runtime.spec, runtime=runtime)]


def _frames(n: int) -> list[np.ndarray]:
    return [np.full((64, 64, 1), i, np.uint8) for i in range(n)]


def _request(**kw) -> StreamRequest:
    kw.setdefault("inference", InferenceOptions(batch_size=3))
    return StreamRequest(source_name="camera0", model_paths=("single",), **kw)


def test_every_frame_reaches_the_sink_in_order_and_the_camera_is_closed():
    camera, sink = FakeCamera(_frames(9)), CollectingSink()
    result = StreamUseCase(resizer=NearestResizer(), sink=sink)(_request(), camera, _models())
    assert [f.frame_idx for f in sink.frames] == list(range(9))
    assert camera.closed and result.frames_processed == 9 and not result.interrupted
    first = sink.frames[1].instances[0].points
    np.testing.assert_allclose(first, [[11.0, 20.0], [30.0, 39.0]], atol=0.5)
    assert result.dataset.videos[0].filename == "camera0"
    assert result.dataset.provenance["frame_selection"]["frames_processed"] == 9


def test_the_output_drops_empty_frames_when_asked_and_goes_to_the_writer():
    writer = MemoryWriter()
    use_case = StreamUseCase(resizer=NearestResizer(), writer=writer)
    result = use_case(_request(selection=FrameSelection(no_empty_frames=True),
                               output_path="live.slp"), FakeCamera(_frames(9)), _models())
    dataset, fmt = writer.written["live.slp"]
    assert dataset is result.dataset and fmt == "slp" and result.output_path == "live.slp"
    assert [f.frame_idx for f in dataset.frames] == [1, 2, 3, 5, 6, 7]


def test_a_stop_ends_reading_and_keeps_what_was_predicted():
    stop, sink = StopFlag(), CollectingSink()

    def sink_then_stop(frame):
        sink(frame)
        if frame.frame_idx == 4:
            stop.set()

    camera = FakeCamera(_frames(20))
    use_case = StreamUseCase(resizer=NearestResizer(), sink=sink_then_stop, stop=stop)
    result = use_case(_request(inference=InferenceOptions(batch_size=1)), camera, _models())
    assert result.interrupted and result.frames_processed == 5 and camera.closed
    assert camera.grabbed < 20


def test_tracking_gives_identities_through_the_injected_tracker_factory():
    made = []

    def factory(options, max_instances):
        made.append(options)
        return build_tracker(options, max_instances=max_instances)

    sink = CollectingSink()
    use_case = StreamUseCase(resizer=NearestResizer(), tracker_factory=factory, sink=sink)
    result = use_case(_request(tracking=TrackingOptions(tracking=True)), FakeCamera(_frames(6)),
                      _models())
    assert len(made) == 1 and result.dataset.tracks
    names = [[i.track.name for i in f.instances] for f in sink.frames if f.instances]
    assert all(n == names[0] for n in names)
