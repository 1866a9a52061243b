"""The restricted checkpoint reader: real checkpoints load; pickle payloads never run."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import pytest
import torch

from pose_adapters.torch.checkpoint import load_checkpoint, load_state_dict
from pose_domain.errors import InputNotFoundError, ModelLoadError, UnsafeModelFileError

MODELS = Path(__file__).parents[2] / "data" / "models" / "sleapnn"


class _Payload:
    """Pickles as a call to ``func(*args)`` — what a malicious checkpoint would contain."""

    def __init__(self, func, *args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _save(path: Path, obj) -> Path:
    torch.save(obj, path)
    return path


def test_sleapnn_checkpoint_with_pickled_config_loads() -> None:
    ckpt = load_checkpoint(MODELS / "bottomup" / "best.ckpt")
    assert "state_dict" in ckpt and "config" in ckpt  # config became inert placeholders
    sd = load_state_dict(MODELS / "bottomup" / "best.ckpt")
    assert all(not k.startswith("model.") for k in sd)
    assert sd["head_layers.0.MultiInstanceConfmapsHead.0.weight"].shape == (2, 24, 1, 1)
    assert all(v.dtype == torch.float32 for v in sd.values())


@pytest.mark.parametrize(
    "func_args",
    [
        ("os_system",),
        ("eval",),
        ("popen",),
    ],
)
def test_pickle_payload_is_refused_and_never_runs(tmp_path: Path, func_args) -> None:
    marker = tmp_path / "pwned"
    kind = func_args[0]
    if kind == "os_system":
        payload = _Payload(os.system, f"touch {marker}")
    elif kind == "eval":
        payload = _Payload(eval, f"open({str(marker)!r}, 'w').close()")
    else:
        import subprocess

        payload = _Payload(subprocess.Popen, ["touch", str(marker)])
    path = _save(tmp_path / "best.ckpt", {"state_dict": {}, "config": payload})
    with pytest.raises(UnsafeModelFileError, match="could run code") as info:
        load_checkpoint(path)
    assert info.value.exit_code == 2
    assert not marker.exists()


def test_payload_nested_inside_state_dict(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = _save(
        tmp_path / "x.ckpt",
        {"state_dict": {"w": torch.zeros(2), "evil": _Payload(os.system, f"touch {marker}")}},
    )
    with pytest.raises(UnsafeModelFileError):
        load_state_dict(path)
    assert not marker.exists()


def test_legacy_non_zip_format_payload_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "old.ckpt"
    torch.save(
        {"config": _Payload(os.system, f"touch {marker}")},
        path,
        _use_new_zipfile_serialization=False,
    )
    with pytest.raises(UnsafeModelFileError):
        load_checkpoint(path)
    assert not marker.exists()


def test_plain_state_dict_checkpoint(tmp_path: Path) -> None:
    path = _save(tmp_path / "sd.ckpt", {"state_dict": {"model.a.weight": torch.ones(3)}})
    assert list(load_state_dict(path)) == ["a.weight"]


def test_truncated_checkpoint(tmp_path: Path) -> None:
    data = (MODELS / "centroid" / "best.ckpt").read_bytes()
    path = tmp_path / "best.ckpt"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_checkpoint(path)


def test_garbage_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "best.ckpt"
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ModelLoadError):
        load_checkpoint(path)


def test_zip_without_pickle(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("best/version", "3")
    path = tmp_path / "best.ckpt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ModelLoadError):
        load_checkpoint(path)


def test_missing_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        load_checkpoint(tmp_path / "nope.ckpt")


def test_not_a_dict(tmp_path: Path) -> None:
    path = tmp_path / "t.ckpt"
    with path.open("wb") as f:
        pickle.dump(1, f)
    with pytest.raises(ModelLoadError):
        load_checkpoint(path)
