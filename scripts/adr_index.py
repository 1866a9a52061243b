#!/usr/bin/env python3
"""Write docs/adr/README.md, the ADR index, from each record's title and status line.

Run it after adding an ADR or changing a status (``tests/unit/test_docs.py`` fails while the
index is stale). A record replaced in full lives in ``docs/adr/superseded/``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ADR = Path(__file__).resolve().parents[1] / "docs" / "adr"
HEADER = """# Architecture decision records

One short record per real decision (ADR-0001 says how); numbers leave gaps by topic. This index
is written by `scripts/adr_index.py` from each record's title and status line. A record that a
later one replaces in full moves to [`superseded/`](superseded/) and is listed at the end; one
replaced or amended in part says so in its status line, shown here after the title.
"""


def _row(path: Path) -> str:
    lines = path.read_text().splitlines()
    title = re.sub(r"^#\s*\d+\.\s*", "", lines[0]).strip()
    status = next((ln for ln in lines if re.match(r"^\**status", ln, re.I)), "")
    status = status.split(":", 1)[1].strip().strip("*").strip() if ":" in status else ""
    # "accepted · 2026-12-08 · amends ADR-0061 (…)": keep what follows the state and the date
    parts = [p.strip() for p in status.split("·")]
    note = " · ".join(p for p in parts[1:] if not re.fullmatch(r"\d{4}-\d{2}-\d{2}.*?", p))
    if parts and parts[0].lower().startswith("superseded"):
        note = parts[0]
    link = path.relative_to(ADR).as_posix()
    text = f"{title} — *{note}*" if note else title
    return f"| [{path.name[:4]}]({link}) | {text} |"


def render() -> str:
    current = [_row(p) for p in sorted(ADR.glob("0*.md"))]
    old = [_row(p) for p in sorted((ADR / "superseded").glob("0*.md"))]
    out = [HEADER, "| ADR | Decision |", "|---|---|", *current]
    if old:
        out += ["", "## Superseded (kept for the history)", "", "| ADR | Decision |", "|---|---|",
                *old]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    target = ADR / "README.md"
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if target.read_text() == text else 1)
    target.write_text(text)
