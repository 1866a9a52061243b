"""Ports live in ``pose_app/ports`` and each has a fake typed against it (ADR-0120)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "src" / "pose_app"
FAKES = ROOT / "tests" / "fakes"
#: Protocols still outside pose_app/ports, each with the reason it is there.
NOT_YET_MOVED = {
}


def _protocols(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == "Protocol" for b in node.bases)
    ]


def test_use_case_ports_live_in_the_ports_package() -> None:
    outside = {
        f"{p.relative_to(APP).as_posix()}:{name}"
        for p in APP.rglob("*.py") if "ports" not in p.relative_to(APP).parts
        for name in _protocols(p)
    }
    assert outside <= set(NOT_YET_MOVED), sorted(outside - set(NOT_YET_MOVED))


def test_every_port_has_a_fake_typed_against_it() -> None:
    """Each port is the annotation of a fake's ``TYPE_CHECKING`` assignment in tests/fakes,
    so mypy checks that the fake satisfies it."""
    ports = {name for p in (APP / "ports").rglob("*.py") for name in _protocols(p)}
    annotated = {
        node.annotation.id
        for p in FAKES.glob("*.py")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.AnnAssign) and isinstance(node.annotation, ast.Name)
    }
    assert ports and ports <= annotated, sorted(ports - annotated)
