"""The run use cases with fakes: many inputs in this process, batch planning and jobs, the
worker's model cache, the shared manifest and a cancelled worker (ADR-0141, ADR-0143)."""

from __future__ import annotations

import threading

import attrs
import pytest

from pose_app.batch import BatchInput, BatchUseCase, Manifest
from pose_app.options import TrackOptions
from pose_app.ports.executor import Chunk, Job
from pose_app.ports.models import LoadedModel
from pose_app.ports.stop import StopFlag
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.runs.batch import BatchRunUseCase
from pose_app.runs.job import TrackJob
from pose_app.runs.local import LocalRunUseCase
from pose_app.runs.models import ModelCache
from pose_app.runs.plan import plan_input
from tests.fakes.batch import FakeInspector, InMemoryManifestStore, ShuffledExecutor
from tests.fakes.labels import InMemoryLabelsStore
from tests.fakes.models import FakeLoader, single_instance_spec
from tests.fakes.predict import ChunkStores, MemoryWriter
from tests.fakes.runtime import FakeRuntime, NearestResizer
from tests.fakes.video import FakeFrameSource


class CountingLoader(FakeLoader):
    def __init__(self, models: dict[str, LoadedModel]) -> None:
        super().__init__(models)
        self.loads = 0

    def load(self, path, options):
        self.loads += 1
        return super().load(path, options)


def _positions(frame: int) -> list[tuple[float, float]]:
    return [(10.0 + frame, 20.0), (30.0, 40.0 - frame)]


def _predict(writer: MemoryWriter, loader: CountingLoader, n_frames: int = 5,
             **kw) -> PredictUseCase:
    return PredictUseCase(loader=loader, resizer=NearestResizer(),
                          labels_store=InMemoryLabelsStore(),
                          open_video=lambda path, **k: FakeFrameSource(n_frames=n_frames,
                                                                      filename=path),
                          chunk_store_for=ChunkStores(), writer=writer, chunk_size=2, **kw)


def _loader() -> CountingLoader:
    runtime = FakeRuntime(single_instance_spec(), _positions)
    return CountingLoader({"m": LoadedModel(spec=runtime.spec, runtime=runtime)})


def test_many_inputs_share_one_load_and_each_output_is_written(tmp_path):
    writer, loader, built, done = MemoryWriter(), _loader(), [], []

    def predict() -> PredictUseCase:
        built.append(1)
        return _predict(writer, loader)

    job = TrackJob(model_paths=("m",), options=TrackOptions.from_flags({}))
    inputs = [str(tmp_path / f"v{i}.mp4") for i in range(3)]
    report = LocalRunUseCase(predict=predict, on_done=done.append)(job, inputs)
    assert built == [1] and loader.loads == 1
    assert sorted(writer.written) == sorted(str(tmp_path / f"v{i}.predictions.slp")
                                            for i in range(3))
    assert [d.input_path for d in report.done] == inputs == [d.input_path for d in done]


def test_existing_outputs_are_skipped_and_a_stop_between_inputs_is_reported(tmp_path):
    (tmp_path / "v0.predictions.slp").write_text("done before")
    writer, stop = MemoryWriter(), StopFlag()

    def stop_after_first(done) -> None:
        stop.set()

    job = TrackJob(model_paths=("m",), options=TrackOptions.from_flags({}))
    inputs = [str(tmp_path / f"v{i}.mp4") for i in range(3)]
    report = LocalRunUseCase(predict=lambda: _predict(writer, _loader()), stop=stop,
                             on_done=stop_after_first)(job, inputs)
    assert report.skipped == [inputs[0]] and [d.input_path for d in report.done] == [inputs[1]]
    assert report.stopped_after == 2


def test_batch_plans_chunks_from_the_inspector_and_runs_every_job(tmp_path):
    options = TrackOptions.from_flags({"chunk_frames": 4})
    job = TrackJob(model_paths=("m",), options=options)
    video = str(tmp_path / "v.mp4")
    ran: list[Job] = []

    def work(j: Job, progress) -> dict:
        ran.append(j)
        return {"frames": 0}

    def batch(manifest_path: str, finalize) -> BatchUseCase:
        return BatchUseCase(executor=ShuffledExecutor(), work=work,
                            manifest_store=InMemoryManifestStore(),
                            labels_store=InMemoryLabelsStore(), exists=lambda p: False,
                            remove=lambda p: None, part_path=lambda out, ch: f"{out}.{ch.key}",
                            finalize=finalize)

    run = BatchRunUseCase(inspector=FakeInspector({video: 10}), batch=batch)(job, [video])
    assert sorted((j.chunk.start, j.chunk.stop) for j in ran if j.chunk) == [(0, 4), (4, 8),
                                                                            (8, 10)]
    assert run.manifest_path == str(tmp_path / "pose-manifest.json")
    assert run.output_of(video) == str(tmp_path / "v.predictions.slp")


def test_labels_inputs_are_planned_from_their_labeled_frames():
    options = TrackOptions.from_flags({"chunk_frames": 3, "tracking": True})
    inspector = FakeInspector(labeled={"a.slp": ([0, 1, 2, 5, 6, 7, 8], 1)})
    planned = plan_input(options, "a.slp", "a.out.slp", True, inspector)
    assert planned.frames == 7 and [c.start for c in planned.chunks] == [0, 3, 6]


def test_the_worker_cache_loads_each_model_set_once():
    cache, loads = ModelCache(), []

    def load(paths, inference):
        loads.append(paths)
        return []

    inference = TrackOptions.from_flags({}).inference
    for paths in [("a",), ("a",), ("b",), ("b",), ("a",)]:
        cache.get(paths, inference, load)
    assert loads == [("a",), ("b",), ("a",)]


def test_two_runs_writing_into_one_folder_keep_each_others_manifest_entries():
    """A SLURM array: every task is its own driver over its own input, one shared manifest."""
    store = InMemoryManifestStore()

    def run(name: str) -> None:
        BatchUseCase(executor=ShuffledExecutor(), work=lambda j, p: {"frames": 1},
                     manifest_store=store, labels_store=InMemoryLabelsStore(),
                     exists=lambda p: False, remove=lambda p: None,
                     part_path=lambda out, ch: out)([BatchInput(
                         input_path=f"{name}.mp4", output_path=f"{name}.slp")], "fp")

    run("a")
    run("b")
    entries = Manifest.from_dict(store.load()).entries
    assert {k: e.status for k, e in entries.items()} == {"a.mp4": "done", "b.mp4": "done"}


class InterruptingRuntime(FakeRuntime):
    """A network cancelled mid-run, as Ray cancels a task (KeyboardInterrupt in the worker)."""

    def __init__(self, after_calls: int, collected: threading.Event) -> None:
        super().__init__(single_instance_spec(), _positions)
        self.after_calls = after_calls
        self.collected = collected

    def infer(self, images):
        if self.calls >= self.after_calls:
            # the stages overlap: cancel once the earlier batches reached the collector
            assert self.collected.wait(timeout=30)
            raise KeyboardInterrupt
        return super().infer(images)


def test_a_cancelled_worker_persists_the_frames_it_predicted_since_its_last_chunk():
    collected = threading.Event()
    seen: list[int] = []

    def sink(frame):
        seen.append(frame.frame_idx)
        if len(seen) >= 4:
            collected.set()

    runtime = InterruptingRuntime(after_calls=3, collected=collected)
    stores = ChunkStores()
    use_case = PredictUseCase(sink=sink,
        loader=FakeLoader({"m": LoadedModel(spec=runtime.spec, runtime=runtime)}),
        resizer=NearestResizer(), labels_store=InMemoryLabelsStore(),
        open_video=lambda path, **k: FakeFrameSource(n_frames=40),
        chunk_store_for=stores, writer=MemoryWriter(), chunk_size=100)
    request = PredictRequest(data_path="v.mp4", model_paths=("m",),
                             inference=attrs.evolve(TrackOptions.from_flags({}).inference,
                                                    batch_size=2),
                             output_path="part.slp")
    with pytest.raises(KeyboardInterrupt):
        use_case(request)
    saved = stores.stores["part.slp"].frames
    assert saved == [(0, i) for i in range(len(saved))] and len(saved) >= 4  # < one chunk


def test_chunks_of_a_job_are_planned_with_warmup_when_tracking():
    options = TrackOptions.from_flags({"chunk_frames": 5, "tracking": True})
    planned = plan_input(options, "v.mp4", "v.slp", False, FakeInspector({"v.mp4": 12}))
    assert planned.chunks[1] == Chunk(start=5, stop=10, warmup=5)
