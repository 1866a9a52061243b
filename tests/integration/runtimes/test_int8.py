"""``--precision int8``: OpenVINO + NNCF post-training quantization (ADR-0055).

The centroid fixture model is quantized on 20 frames of the fixture video; the fast outputs
must stay close to fp32, and the quantized model is cached by the calibration source: a new
runtime on the same source calibrates nothing (its ``calibrations`` counter stays 0).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("openvino")
pytest.importorskip("nncf")
cv2 = pytest.importorskip("cv2")

from pose_adapters.accel import available_runtimes, make_runtime  # noqa: E402
from pose_app.ports.runtime import CalibratedRuntime  # noqa: E402
from pose_domain.errors import InvalidOptionError  # noqa: E402

DATA = Path(__file__).parents[2] / "data"
N_CALIB = 20


def _frames(n: int, start: int = 0) -> np.ndarray:
    """uint8 ``(n, 1, 384, 384)`` grayscale frames of the fixture video."""
    cap = cv2.VideoCapture(str(DATA / "videos" / "centered_pair_small.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    out = []
    while len(out) < n:
        ok, f = cap.read()
        assert ok
        out.append(f[:, :, 0])
    cap.release()
    return np.stack(out)[:, None]


@pytest.fixture(scope="module")
def centroid():
    from pose_adapters.torch.network import build_network

    return build_network(str(DATA / "models" / "sleapnn" / "centroid"))


def _peak_shift(got: np.ndarray, want: np.ndarray, r: int = 3) -> int:
    """Largest grid distance between ``want``'s global maximum (channel 0) and ``got``'s
    maximum in the ``(2r+1)²`` window around it, over the batch (two similar animals may swap
    which one is the global maximum, so the window keeps the same animal)."""
    worst = 0
    for g, w in zip(got[:, 0], want[:, 0], strict=True):
        y, x = np.unravel_index(int(w.argmax()), w.shape)
        y0, x0 = max(y - r, 0), max(x - r, 0)
        win = g[y0:y + r + 1, x0:x + r + 1]
        gy, gx = np.unravel_index(int(win.argmax()), win.shape)
        worst = max(worst, abs(int(gy) + y0 - int(y)), abs(int(gx) + x0 - int(x)))
    return worst


@pytest.mark.slow
def test_int8_calibrated_once_per_source_and_close_to_fp32(centroid, tmp_path):
    spec, net = centroid
    cache = str(tmp_path)
    exact = make_runtime("openvino", net, spec, precision="fp32", cache_dir=cache)
    fast = make_runtime("openvino", net, spec, precision="int8", cache_dir=cache)
    assert isinstance(fast, CalibratedRuntime)
    calib = _frames(N_CALIB)
    assert fast.needs_calibration() and fast.use_calibration("clip-a") is None
    assert "not calibrated" in fast.executes
    fast.calibrate("clip-a", [calib[i:i + 4] for i in range(0, N_CALIB, 4)])
    assert fast.calibrations == 1 and fast.quantized and not fast.needs_calibration()
    assert fast.executes.startswith("openvino int8 (")
    assert list(Path(cache, "int8").glob("*/clip-a/model.xml")), "the int8 model is cached"

    test = _frames(8, start=500)
    got, want = fast.infer(test).confmaps, exact.infer(test).confmaps
    assert got.shape == want.shape and got.dtype == np.float32
    assert not np.allclose(got, want, atol=1e-6), "int8 really ran"
    assert np.abs(got - want).mean() < 0.01  # max is ~0.6 after 20 frames (ADR-0055)
    assert _peak_shift(got, want) <= 1  # output stride grid cells

    # a later run (another process: a new runtime) on the same source does no calibration
    again = make_runtime("openvino", net, spec, precision="int8", cache_dir=cache)
    assert again.use_calibration("clip-a") == "clip-a"
    assert again.calibrations == 0 and again.quantized
    np.testing.assert_array_equal(again.infer(test).confmaps, got)

    # another source borrows the newest calibration until it calibrates on its own
    other = make_runtime("openvino", net, spec, precision="int8", cache_dir=cache)
    assert other.use_calibration("clip-b") == "clip-a" and not other.needs_calibration()
    assert other.calibrations == 0


@pytest.mark.slow
def test_int8_without_a_calibrating_caller_calibrates_on_its_first_inputs(centroid, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("POSE_INT8_CALIBRATION_FRAMES", "8")
    spec, net = centroid
    cache = str(tmp_path)
    exact = make_runtime("openvino", net, spec, precision="fp32", cache_dir=cache)
    fast = make_runtime("openvino", net, spec, precision="int8", cache_dir=cache)
    calib = _frames(8)
    for i in range(0, 8, 4):  # calibration batches run in fp32, exactly
        got, want = fast.infer(calib[i:i + 4]), exact.infer(calib[i:i + 4])
        np.testing.assert_allclose(got.confmaps, want.confmaps, atol=1e-5, rtol=0)
    assert fast.quantized and fast.calibrations == 1
    again = make_runtime("openvino", net, spec, precision="int8", cache_dir=cache)
    again.infer(calib[:4])
    assert again.quantized and again.calibrations == 0


def test_int8_is_openvino_only(centroid, tmp_path):
    spec, net = centroid
    assert "openvino" in available_runtimes("cpu", "int8")
    assert "onnx" not in available_runtimes("cpu", "int8")
    with pytest.raises(InvalidOptionError, match="int8"):
        make_runtime("onnx", net, spec, precision="int8", cache_dir=str(tmp_path))
    if importlib.util.find_spec("tensorrt") is None:
        return
    with pytest.raises(InvalidOptionError, match="int8"):
        make_runtime("tensorrt", net, spec, precision="int8", device="cuda",
                     cache_dir=str(tmp_path))
