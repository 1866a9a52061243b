"""Fast modes at the use case: int8 calibrated once per source (ADR-0180) and the accuracy
contract against exact fp32 (ADR-0181), with fakes at the runtime and loader ports."""

from __future__ import annotations

import logging

import attrs
import pytest

from pose_app.options import InferenceOptions, TrackingOptions
from pose_app.predict import PredictRequest, PredictUseCase
from pose_app.predict.fastmode import sample_windows
from pose_app.track import build_tracker
from pose_domain.errors import BelowAccuracyContractError, RunInterrupted
from tests.fakes.fastmode import FakeInt8Runtime, PrecisionLoader
from tests.fakes.ports import (
    FakeFrameSource,
    FakeRuntime,
    InMemoryLabelsStore,
    NearestResizer,
    single_instance_spec,
)
from tests.fakes.predict import ChunkStores, MemoryWriter, StopAfter

N_FRAMES = 100


def _positions(frame: int) -> list[tuple[float, float]]:
    return [(10.0 + frame % 30, 20.0), (30.0, 50.0 - frame % 30)]


def _use_case(fast: FakeInt8Runtime, exact: FakeRuntime, stop=None, stores=None,
              source: FakeFrameSource | None = None) -> PredictUseCase:
    extra = {"stop": stop} if stop is not None else {}
    src = source or FakeFrameSource(n_frames=N_FRAMES)
    return PredictUseCase(
        loader=PrecisionLoader(exact, fast), resizer=NearestResizer(),
        labels_store=InMemoryLabelsStore(), open_video=lambda path, **kw: src,
        tracker_factory=lambda opts, n: build_tracker(opts, max_instances=n),
        chunk_store_for=stores or ChunkStores(), writer=MemoryWriter(), chunk_size=4, **extra,
    )


def _request(precision: str = "int8", resume: bool = False, **inference) -> PredictRequest:
    return PredictRequest(
        data_path="v.mp4", model_paths=("single",), tracking=TrackingOptions(),
        inference=InferenceOptions(precision=precision, batch_size=4, queue_maxsize=2,
                                   **inference),
        resume=resume, output_path="out.slp",
    )


def _runtimes(disk: dict, shift: float = 0.0) -> tuple[FakeInt8Runtime, FakeRuntime]:
    exact = FakeRuntime(single_instance_spec(), _positions)
    return FakeInt8Runtime(exact, disk, shift=shift), exact


def test_int8_calibrates_once_per_source_then_every_run_reuses_it():
    disk: dict = {}
    first, exact = _runtimes(disk)
    result = _use_case(first, exact)(_request())
    assert first.calibrations == 1
    assert first.samples == 64  # the calibration sample: 8 runs of 8 frames
    fast = result.dataset.provenance["fast_mode"]
    assert fast["calibration"] == [
        "single_instance: calibrated on 64 inputs of 64 frames of this input"]

    second, exact = _runtimes(disk)
    result = _use_case(second, exact)(_request())
    assert second.calibrations == 0 and second.calibrated_on == first.calibrated_on
    assert result.dataset.provenance["fast_mode"]["calibration"] == [
        "single_instance: calibration cached for this input"]
    assert second.sources == first.sources  # the same source key
    # the 32 frames of the check are predicted once: the run reuses them
    assert second.frames == N_FRAMES
    assert result.dataset.provenance["frame_selection"]["frames_resumed"] == 0
    assert [f.frame_idx for f in result.dataset.frames] == list(range(N_FRAMES))


def test_resume_meets_the_same_calibration():
    disk: dict = {}
    stores = ChunkStores()
    fast, exact = _runtimes(disk)
    source = FakeFrameSource(n_frames=N_FRAMES)
    # the sample is read twice (exact, then int8) before the main run; stop inside it
    stop = StopAfter(source, 2 * 64 + 30)
    with pytest.raises(RunInterrupted):
        _use_case(fast, exact, stop=stop, stores=stores, source=source)(_request())
    assert fast.calibrations == 1

    again, exact = _runtimes(disk)
    result = _use_case(again, exact, stores=stores)(_request(resume=True))
    assert again.calibrations == 0 and again.sources == fast.sources
    assert result.dataset.provenance["frame_selection"]["frames_resumed"] > 0


def test_agreement_line_and_provenance_when_the_contract_holds(caplog):
    fast, exact = _runtimes({})
    with caplog.at_level(logging.INFO, logger="pose"):
        result = _use_case(fast, exact)(_request())
    lines = [r.getMessage() for r in caplog.records if getattr(r, "notice", False)]
    assert len(lines) == 1
    assert "fast mode int8 on fake int8" in lines[0] and "within the contract" in lines[0]
    prov = result.dataset.provenance["fast_mode"]
    assert prov["contract_met"] is True
    a = prov["agreement"]
    assert a["frames"] == 64 and a["counts_equal"] == 1.0 and a["p99"] == 0.0
    assert a["identity"] == 1.0  # the run tracks, so the sample is tracked too
    assert len(result.dataset.frames) == N_FRAMES


def test_below_the_contract_stops_by_default():
    fast, exact = _runtimes({}, shift=6.0)
    with pytest.raises(BelowAccuracyContractError) as info:
        _use_case(fast, exact)(_request())
    err = info.value
    assert err.exit_code == 3
    assert "BELOW the contract" in err.one_line() and "point p95 6.00 px" in err.one_line()
    assert "--fast_below_contract continue" in err.one_line()


def test_below_the_contract_goes_on_when_asked(caplog):
    fast, exact = _runtimes({}, shift=6.0)
    with caplog.at_level(logging.WARNING, logger="pose"):
        result = _use_case(fast, exact)(_request(fast_below_contract="continue"))
    assert any("BELOW the contract" in r.getMessage() for r in caplog.records)
    prov = result.dataset.provenance["fast_mode"]
    assert prov["contract_met"] is False and prov["shortfalls"]
    assert len(result.dataset.frames) == N_FRAMES


def test_another_input_reuses_the_calibration_while_the_contract_holds():
    disk: dict = {}
    first, exact = _runtimes(disk)
    _use_case(first, exact)(_request())
    other, exact = _runtimes(disk)
    result = _use_case(other, exact, source=FakeFrameSource(n_frames=60))(_request())
    assert other.calibrations == 0 and other.borrowed
    assert result.dataset.provenance["fast_mode"]["calibration"] == [
        "single_instance: calibration of another input reused"]
    assert result.dataset.provenance["fast_mode"]["contract_met"] is True


def test_another_input_recalibrates_when_the_borrowed_calibration_falls_short():
    disk: dict = {}
    first, exact = _runtimes(disk, shift=6.0)
    first.shift_when_borrowed = True
    _use_case(first, exact)(_request())
    other, exact = _runtimes(disk, shift=6.0)
    other.shift_when_borrowed = True
    result = _use_case(other, exact, source=FakeFrameSource(n_frames=60))(_request())
    assert other.calibrations == 1 and not other.borrowed
    prov = result.dataset.provenance["fast_mode"]
    assert prov["contract_met"] is True
    assert prov["calibration"][-1] == "single_instance: calibrated on 60 inputs of 60 frames of " \
        "this input"
    assert len(disk) == 2


def test_no_check_when_asked_and_exact_mode_untouched():
    disk: dict = {}
    fast, exact = _runtimes(disk)
    uc = _use_case(fast, exact)
    result = uc(_request(fast_check_frames=0))
    assert fast.calibrations == 1  # int8 still needs its calibration
    assert result.dataset.provenance["fast_mode"]["agreement"] is None

    fast, exact = _runtimes(disk)
    uc = _use_case(fast, exact)
    result = uc(_request(precision="fp32"))
    assert uc.loader.loads == ["fp32"]  # no twin loaded, no sample predicted
    assert "fast_mode" not in result.dataset.provenance
    assert exact.calls == N_FRAMES // 4


def test_sample_windows_spread_evenly():
    keys = [(0, i) for i in range(100)]
    w = sample_windows(keys, 32)
    assert len(w) == 4 and all(len(x) == 8 for x in w)
    assert w[0][0] == (0, 0) and w[-1][-1] == (0, 99)
    assert sample_windows(keys[:10], 32) == [keys[:8], keys[8:10]]
    assert sample_windows(keys, 0) == []


def test_models_loaded_once_for_several_inputs_check_each_input():
    disk: dict = {}
    fast, exact = _runtimes(disk)
    uc = _use_case(fast, exact)
    models = uc.load_models(("single",), _request().inference)
    uc(_request(), models=models)
    result = uc(attrs.evolve(_request(), data_path="other.mp4"), models=models)
    assert fast.calibrations == 1
    prov = result.dataset.provenance["fast_mode"]
    assert prov["calibration"] == ["single_instance: calibration of another input reused"]
    assert prov["agreement"]["frames"] == 32
