"""The documents the next engineer reads stay true to the tree: every ADR is in the index, and
every "parity notes §N" a comment cites exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADR = ROOT / "docs" / "adr"


def test_every_adr_is_listed_in_the_index_once():
    index = (ADR / "README.md").read_text()
    files = sorted(ADR.glob("0*.md")) + sorted((ADR / "superseded").glob("0*.md"))
    assert files
    for f in files:
        link = f.relative_to(ADR).as_posix()
        assert index.count(f"({link})") == 1, f"{link} is not listed once in docs/adr/README.md"
    for link in re.findall(r"\]\(((?:superseded/)?0\d{3}[^)]*\.md)\)", index):
        assert (ADR / link).is_file(), f"the index links a missing ADR: {link}"


def test_numbers_are_unique():
    numbers = [f.name[:4] for f in list(ADR.glob("0*.md")) + list(ADR.glob("superseded/0*.md"))]
    assert len(numbers) == len(set(numbers))


def test_cited_parity_note_sections_exist():
    notes = (ROOT / "docs" / "parity_notes.md").read_text()
    headings = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)", notes, flags=re.M))
    cited: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        for ref in re.findall(r"parity notes §([0-9.–-]+)", path.read_text()):
            for part in re.split(r"[–-]", ref.rstrip(".")):
                cited.add(part)
    missing = sorted(c for c in cited if c not in headings)
    assert not missing, f"docs/parity_notes.md has no section {missing}"


def test_index_is_what_the_script_writes():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "adr_index.py"), "--check"],
                          check=False)
    assert proc.returncode == 0, "docs/adr/README.md is stale: run scripts/adr_index.py"
