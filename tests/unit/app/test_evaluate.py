"""EvaluateUseCase with in-memory datasets (no files, no sleap-io)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.dataset import Dataset, VideoRef
from pose_app.evaluate import (
    EvaluateOptions,
    EvaluateRequest,
    EvaluateUseCase,
    pair_frames,
)
from pose_domain.errors import InputNotFoundError, InvalidOptionError, UnsupportedInputError
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.skeleton import Skeleton
from tests.fakes.ports import InMemoryLabelsStore

SK = Skeleton.from_names(["a", "b"])


def pose(x: float) -> np.ndarray:
    return np.array([[x, 0.0], [x + 30.0, 40.0]])


def make(pred: bool, xs_per_frame: list[list[float]], tracks: list[Track] | None = None,
         video: str = "v.mp4") -> Dataset:
    frames = []
    for f, xs in enumerate(xs_per_frame):
        insts: list[Instance] = []
        for k, x in enumerate(xs):
            t = tracks[k] if tracks else None
            if pred:
                insts.append(PredictedInstance.from_arrays(pose(x), [1, 1], 1.0 - 0.1 * k,
                                                           track=t))
            else:
                insts.append(Instance(points=pose(x), track=t))
        frames.append(LabeledFrame(0, f, insts))
    return Dataset(videos=[VideoRef(filename=video)], skeleton=SK, frames=frames)


def same_index(gt: Dataset, pred: Dataset) -> list[tuple[int, int]]:
    return [(0, 0)] if gt.videos and pred.videos else []


class Writer:
    def __init__(self) -> None:
        self.calls: list[tuple[dict, str]] = []

    def __call__(self, metrics: dict, path: str) -> tuple[str, str]:
        self.calls.append((metrics, path))
        return path, path.replace(".npz", ".json")


def use_case(gt: Dataset, pred: Dataset, writer: Writer | None = None) -> EvaluateUseCase:
    store = InMemoryLabelsStore({"gt.slp": gt, "pr.slp": pred})
    return EvaluateUseCase(labels_store=store, pair_videos=same_index, write_metrics=writer)


def test_perfect_predictions_score_one_and_are_saved() -> None:
    gt = make(False, [[0.0, 200.0]] * 3)
    pr = make(True, [[0.0, 200.0]] * 3)
    w = Writer()
    res = use_case(gt, pr, w).run(
        EvaluateRequest(ground_truth_path="gt.slp", predicted_path="pr.slp", save_metrics="m.npz")
    )
    assert res.metrics is not None
    assert res.metrics["mOKS"]["mOKS"] == pytest.approx(1.0)
    assert res.metrics["voc_metrics"]["oks_voc.mAR"] == pytest.approx(1.0)
    assert res.n_frame_pairs == 3 and res.n_matched == 6 and res.n_unmatched_gt == 0
    assert res.saved == ("m.npz", "m.json") and w.calls[0][1] == "m.npz"
    assert res.identity is None  # no tracks


def test_frame_pairing_skips_unlabeled_and_unpredicted_frames() -> None:
    gt = make(False, [[0.0], [], [0.0], [0.0]])
    pr = make(True, [[0.0], [0.0], [0.0]])  # no prediction frame for frame 3
    pairs = pair_frames(gt, pr, [(0, 0)])
    assert [p.frame_idx for p in pairs] == [0, 2]


def test_user_labels_only_ignores_predicted_gt_instances() -> None:
    gt = make(False, [[0.0]])
    gt.frames[0].instances.append(PredictedInstance.from_arrays(pose(200.0), [1, 1], 1.0))
    pr = make(True, [[0.0]])
    assert len(pair_frames(gt, pr, [(0, 0)])[0].gt) == 1
    assert len(pair_frames(gt, pr, [(0, 0)], user_labels_only=False)[0].gt) == 2


def test_no_predicted_instances_returns_no_metrics_and_writes_nothing() -> None:
    gt = make(False, [[0.0]])
    pr = make(True, [[]])
    w = Writer()
    res = use_case(gt, pr, w).run(
        EvaluateRequest(ground_truth_path="gt.slp", predicted_path="pr.slp", save_metrics="m.npz")
    )
    assert res.metrics is None and w.calls == [] and res.saved == ()


def test_unpaired_videos_and_frames_are_input_errors() -> None:
    gt = make(False, [[0.0]])
    pr = Dataset(videos=[], frames=[])
    with pytest.raises(UnsupportedInputError):
        use_case(gt, pr).run(EvaluateRequest(ground_truth_path="gt.slp", predicted_path="pr.slp"))
    pr = make(True, [])
    with pytest.raises(UnsupportedInputError):
        use_case(gt, pr).run(EvaluateRequest(ground_truth_path="gt.slp", predicted_path="pr.slp"))
    with pytest.raises(InputNotFoundError):
        use_case(gt, pr).run(EvaluateRequest(ground_truth_path="x.slp", predicted_path="pr.slp"))


def test_identity_metrics_when_both_files_carry_tracks() -> None:
    a, b, p, q = Track("a"), Track("b"), Track("p"), Track("q")
    gt = make(False, [[0.0, 200.0]] * 4, tracks=[a, b])
    pr = make(True, [[0.0, 200.0], [0.0, 200.0], [200.0, 0.0], [200.0, 0.0]], tracks=[p, q])
    res = use_case(gt, pr).run(EvaluateRequest(ground_truth_path="gt.slp",
                                               predicted_path="pr.slp"))
    assert res.identity is not None
    assert res.identity["id_switches"] == 2 and res.identity["idf1"] == pytest.approx(0.5)


def test_options_are_validated() -> None:
    with pytest.raises(InvalidOptionError):
        EvaluateOptions(oks_stddev=0)
    with pytest.raises(InvalidOptionError):
        EvaluateOptions(match_threshold=-1)
    with pytest.raises(InvalidOptionError):
        EvaluateOptions(oks_scale=-5)
    with pytest.raises(InvalidOptionError):
        EvaluateOptions(identity_match="iou")  # type: ignore[arg-type]


def test_match_method_rejects_segmentation_modes() -> None:
    import pytest

    from pose_app.evaluate import EvaluateOptions
    from pose_domain.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="segmentation"):
        EvaluateOptions(match_method="mask")
