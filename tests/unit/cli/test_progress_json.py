"""``--progress json`` for cluster logs (issue 20, ADR-0134): lines carry the frame index and
the saved-frame count next to the earlier fields."""

from __future__ import annotations

import io
import json

import numpy as np

from pose_adapters.progress import CountingChunks, JsonProgress, frame_reporter
from pose_app.ports.chunks import FrameRecord, NoChunks
from pose_cli.main import main
from tests.conftest import DATA

OLD_FIELDS = {"input", "n_processed", "n_total", "rate", "eta", "elapsed", "done"}


def _record(i: int) -> FrameRecord:
    z = np.zeros(0)
    return FrameRecord(video_index=0, frame_idx=i, decoded=True, points=np.zeros((0, 2, 2)),
                       point_scores=np.zeros((0, 2)), scores=z, tracking_scores=z,
                       track_ids=np.zeros(0, np.int64))


class _Result:
    def __init__(self, frame_idx: int) -> None:
        self.job = type("Job", (), {"frame_idx": frame_idx})()


def test_lines_carry_frame_index_and_saved_count():
    stream = io.StringIO()
    progress = JsonProgress(interval=0.0, stream=stream)
    chunks = CountingChunks(NoChunks(), progress)
    on_result = frame_reporter(progress)
    assert on_result is not None
    progress.start(5, "v.mp4")
    chunks.begin({}, resume=False)
    for i in range(10, 15):
        on_result(_Result(i))
        progress.advance()
        if i == 12:
            chunks.append([_record(j) for j in range(10, 13)])
    progress.finish()
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert OLD_FIELDS | {"frame_idx", "n_saved"} == set(lines[-1])
    assert [x["frame_idx"] for x in lines[:5]] == [10, 11, 12, 13, 14]
    assert [x["n_saved"] for x in lines[:5]] == [0, 0, 0, 3, 3]
    assert lines[-1]["done"] and lines[-1]["n_processed"] == 5


def test_track_json_progress_reports_the_last_frame_and_all_saved(tmp_path, capsys):
    out = tmp_path / "out.slp"
    assert main(["track", "-i", str(DATA / "videos" / "centered_pair_small.mp4"),
                 "--frames", "5-34", "-m", str(DATA / "models" / "sleapnn" / "single_instance"),
                 "-o", str(out), "--progress", "json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert lines[-1]["done"] and lines[-1]["frame_idx"] == 34
    assert lines[-1]["n_saved"] == 30 == lines[-1]["n_processed"]
