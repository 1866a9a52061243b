"""The runtime port's typed outputs: built from a graph's outputs by name, joined over the
slices of a batch, and a network that lacks what its model type needs ends in one line."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.network_outputs import DecodedOutputs, NetworkOutputs
from pose_app.options import InferenceOptions
from pose_app.predict import PredictRequest, PredictUseCase
from pose_domain.errors import InferenceError
from tests.fakes.ports import FakeFrameSource, FakeLoader, InMemoryLabelsStore, NearestResizer
from tests.fakes.predict import blobs, loaded, spec


def _maps(b: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((b, 2, 4, 4), dtype=np.float32)


def test_from_named_takes_the_graph_names_and_refuses_others() -> None:
    cms, pafs = _maps(2), _maps(2, seed=1)
    out = NetworkOutputs.from_named({"pafs": pafs, "confmaps": cms})
    assert out.confmaps is cms and out.pafs is pafs and out.class_maps is None  # no copy
    assert list(out.named()) == ["confmaps", "pafs"]
    with pytest.raises(ValueError, match="unexpected network output"):
        NetworkOutputs.from_named({"confmaps": cms, "heatmaps": pafs})
    with pytest.raises(ValueError, match="lack a required one"):
        NetworkOutputs.from_named({"pafs": pafs})


def test_decoded_outputs_leave_out_what_pose_does_not_decode() -> None:
    peaks = np.zeros((1, 2, 3, 2), np.float32)
    out = DecodedOutputs.from_named({"peaks": peaks, "candidate_mask": np.ones((1, 1, 9))})
    assert out.peaks is peaks and list(out.named()) == ["peaks"]


def test_joined_slices_equal_the_whole_batch_and_map_keeps_the_fields() -> None:
    whole = NetworkOutputs(confmaps=_maps(5), class_vectors=np.eye(5, 2, dtype=np.float32))
    parts = [whole.map(lambda v, s=s: v[s]) for s in (slice(0, 2), slice(2, 4), slice(4, 5))]
    joined = parts[0].joined(parts[1:])
    for name, value in whole.named().items():
        np.testing.assert_array_equal(joined.named()[name], value)
    assert joined.map(lambda v: v[:0]).confmaps.shape == (0, 2, 4, 4)
    with pytest.raises(ValueError, match="one kind"):
        parts[0].joined([NetworkOutputs(confmaps=_maps(1))])


def _predict(model_spec_type: str, outputs) -> None:
    source = FakeFrameSource(n_frames=2)
    model = loaded(spec("m", model_spec_type, ["a", "b"], edges=[(0, 1)]), outputs)
    uc = PredictUseCase(loader=FakeLoader({"m": model}), resizer=NearestResizer(),
                        labels_store=InMemoryLabelsStore(), open_video=lambda p, **kw: source)
    uc(PredictRequest(data_path="v.mp4", model_paths=("m",), inference=InferenceOptions()))


def test_a_bottom_up_network_without_pafs_ends_in_one_line() -> None:
    with pytest.raises(InferenceError, match="returned no part affinity fields"):
        _predict("bottomup", lambda img: NetworkOutputs(confmaps=blobs(img, 2, [(8, 8)] * 2)))


def test_a_runtime_returning_decoded_peaks_for_a_checkpoint_ends_in_one_line() -> None:
    with pytest.raises(InferenceError, match="not the heads' maps"):
        _predict("single_instance",
                 lambda img: DecodedOutputs(peaks=np.zeros((2, 2), np.float32)))
