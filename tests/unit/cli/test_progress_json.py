"""``--progress json`` for cluster logs (issue 20, ADR-0134): lines carry the frame index and
the saved-frame count next to the earlier fields."""

from __future__ import annotations

import io
import json

from pose_adapters.progress import JsonProgress
from pose_app.options import InferenceOptions
from pose_app.ports.models import LoadedModel
from pose_app.predict import PredictRequest, PredictUseCase
from pose_cli.main import main
from tests.conftest import DATA
from tests.fakes.ports import (
    FakeFrameSource,
    FakeLoader,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)
from tests.fakes.predict import ChunkStores, MemoryWriter

OLD_FIELDS = {"input", "n_processed", "n_total", "rate", "eta", "elapsed", "done"}


def test_lines_carry_frame_index_and_saved_count():
    stream = io.StringIO()
    progress = JsonProgress(interval=0.0, stream=stream)
    runtime = FakeRuntime(single_instance_spec(), lambda frame: [(10.0, 20.0), (30.0, 40.0)])
    use_case = PredictUseCase(
        loader=FakeLoader({"single": LoadedModel(spec=runtime.spec, runtime=runtime)}),
        resizer=NearestResizer(), labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **kw: FakeFrameSource(n_frames=15), progress=progress,
        chunk_store_for=ChunkStores(), writer=MemoryWriter(), chunk_size=3)
    use_case(PredictRequest(data_path="v.mp4", model_paths=("single",),
                            inference=InferenceOptions(batch_size=2), frames_spec="10-14",
                            output_path="out.slp"))
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert OLD_FIELDS | {"frame_idx", "n_saved"} == set(lines[-1])
    assert [x["frame_idx"] for x in lines[:5]] == [10, 11, 12, 13, 14]
    assert [x["n_saved"] for x in lines[:5]] == [0, 0, 3, 3, 3]  # a chunk of 3 after frame 12
    assert lines[-1]["done"] and lines[-1]["n_processed"] == 5 and lines[-1]["n_saved"] == 5


def test_a_run_that_persists_nothing_reports_no_saved_count():
    stream = io.StringIO()
    progress = JsonProgress(interval=0.0, stream=stream)
    runtime = FakeRuntime(single_instance_spec(), lambda frame: [(10.0, 20.0), (30.0, 40.0)])
    use_case = PredictUseCase(
        loader=FakeLoader({"single": LoadedModel(spec=runtime.spec, runtime=runtime)}),
        resizer=NearestResizer(), labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **kw: FakeFrameSource(n_frames=4), progress=progress)
    use_case(PredictRequest(data_path="v.mp4", model_paths=("single",),
                            inference=InferenceOptions(batch_size=2)))
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert {x["n_saved"] for x in lines} == {None}


def test_track_json_progress_reports_the_last_frame_and_all_saved(tmp_path, capsys):
    out = tmp_path / "out.slp"
    assert main(["track", "-i", str(DATA / "videos" / "centered_pair_small.mp4"),
                 "--frames", "5-34", "-m", str(DATA / "models" / "sleapnn" / "single_instance"),
                 "-o", str(out), "--progress", "json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert lines[-1]["done"] and lines[-1]["frame_idx"] == 34
    assert lines[-1]["n_saved"] == 30 == lines[-1]["n_processed"]
