"""ModelLoader contract: ``ModelFolderLoader`` and ``FakeLoader`` (ADR-0120)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pose_app.model import MODEL_TYPES
from pose_app.options import InferenceOptions
from pose_domain.errors import InputNotFoundError
from tests.contract._models import MODEL_DIRS, RUNTIMES, loaded, loader_for


@pytest.mark.parametrize("kind", RUNTIMES)
def test_a_model_folder_gives_a_spec_and_a_runtime(kind: str) -> None:
    m = loaded(kind, "single_instance")
    spec = m.spec
    assert spec.model_type in MODEL_TYPES and spec.model_type == "single_instance"
    assert spec.skeleton.n_nodes == 2
    assert spec.in_channels in (1, 3)
    assert spec.max_stride >= spec.confmap_stride >= 1
    assert spec.max_stride % spec.confmap_stride == 0
    assert callable(m.runtime.infer)


@pytest.mark.parametrize("kind", ["fake", "real"])
def test_a_missing_folder_is_an_input_error(kind: str, tmp_path: Path) -> None:
    loader = loader_for(kind)
    with pytest.raises(InputNotFoundError) as info:
        loader.load(str(tmp_path / "nope"), InferenceOptions(runtime="torch", device="cpu"))
    assert info.value.hint and "\n" not in info.value.one_line()


def test_the_fake_and_the_real_loader_know_the_same_folder() -> None:
    assert MODEL_DIRS["single_instance"] in loader_for("fake").models  # type: ignore[attr-defined]
