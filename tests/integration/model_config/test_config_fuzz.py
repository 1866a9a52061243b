"""Fuzzing the model config readers (issue 10): mutated ``training_config.yaml`` / ``.json`` of
the fixture models either load or raise a ``PoseError`` subclass with a one-line message; never
``KeyError``/``TypeError``/``AttributeError``/``IndexError`` or a bare ``ValueError``."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pose_adapters.model_config import load_model_config
from pose_domain.errors import PoseError
from tests.conftest import DATA

SLEAPNN = sorted(p for p in (DATA / "models" / "sleapnn").iterdir() if p.is_dir())
LEGACY = sorted(p for p in (DATA / "models" / "legacy").iterdir() if p.is_dir())
FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Values a hand-edited or damaged config could hold where something else was expected.
odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70), st.sampled_from([0, -1, 2**40, 3]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.sampled_from(["unet", "confmaps", "nodes", "py/id", "", "tiny", "1.5"]),
    st.lists(st.integers(0, 3), max_size=3), st.just({}), st.just([]),
    st.dictionaries(st.sampled_from(["name", "py/id", "py/state", "unet"]), st.integers(0, 3),
                    max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a nested dict/list."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:4]):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(cfg: Any, ops: list[tuple[int, str, Any]]) -> Any:
    cfg = copy.deepcopy(cfg)
    for pick, op, value in ops:
        paths = _paths(cfg)
        if not paths:
            break
        path = paths[pick % len(paths)]
        parent = cfg
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        if op == "delete" and isinstance(parent, dict):
            del parent[key]
        elif op == "delete" and isinstance(parent, list):
            parent.pop(key)
        else:
            parent[key] = value
    return cfg


mutations = st.lists(
    st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "set", "delete"]), odd_values),
    min_size=1, max_size=4,
)


def _check(folder: Path) -> None:
    try:
        load_model_config(folder)
    except PoseError as exc:
        assert "\n" not in exc.one_line()


def _model_copy(src: Path, work: Path) -> Path:
    dst = work / src.name
    if not dst.exists():
        dst.mkdir()
        for f in src.iterdir():  # weights are never read by the config reader: empty files
            (dst / f.name).write_bytes(b"" if f.suffix in (".ckpt", ".h5") else f.read_bytes())
    return dst


@pytest.fixture(scope="module")
def work():
    folder = Path(tempfile.mkdtemp(prefix="pose-config-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(model=st.sampled_from(SLEAPNN), ops=mutations)
def test_mutated_sleapnn_yaml(work, model, ops):
    folder = _model_copy(model, work)
    cfg = yaml.safe_load((model / "training_config.yaml").read_text())
    (folder / "training_config.yaml").write_text(yaml.safe_dump(_mutate(cfg, ops)))
    _check(folder)


@FUZZ
@given(model=st.sampled_from(LEGACY), ops=mutations)
def test_mutated_legacy_json(work, model, ops):
    folder = _model_copy(model, work)
    cfg = json.loads((model / "training_config.json").read_text())
    (folder / "training_config.json").write_text(json.dumps(_mutate(cfg, ops)))
    _check(folder)


@FUZZ
@given(model=st.sampled_from(SLEAPNN + LEGACY), data=st.data())
def test_mutated_config_text(work, model, data):
    """Byte-level damage: cut, duplicated or replaced characters."""
    folder = _model_copy(model, work)
    name = ("training_config.yaml" if (model / "training_config.yaml").exists()
            else "training_config.json")
    text = (model / name).read_text()
    n = len(text)
    start = data.draw(st.integers(0, n), label="start")
    length = data.draw(st.integers(0, 40), label="length")
    repl = data.draw(st.text(alphabet=" :-[]{}\"'\n0123456789abcnull,", max_size=10),
                     label="replacement")
    (folder / name).write_text(text[:start] + repl + text[start + length:])
    _check(folder)


@pytest.mark.parametrize("model", SLEAPNN + LEGACY, ids=lambda p: p.name)
def test_unmutated_fixture_configs_load(model):
    load_model_config(model)
