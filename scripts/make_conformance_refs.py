"""Regenerate tests/data/conformance/<case>/ with the reference oracle (sleap-nn 0.3.5).

Each case runs ``sleap-nn <args>`` in a fresh folder holding ``data`` (the shared fixture
inputs) and ``models`` (tests/data/models); the outputs named in the case are copied back.
Usage: python scripts/make_conformance_refs.py ORACLE_BIN FIXTURE_DATA_DIR [CASE ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.integration.conformance.cases import CASES  # noqa: E402

OUT = ROOT / "tests" / "data" / "conformance"


def main() -> None:
    oracle, data = sys.argv[1], Path(sys.argv[2]).resolve()
    wanted = set(sys.argv[3:])
    for name, case in CASES.items():
        if wanted and name not in wanted:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            os.symlink(data, Path(tmp) / "data")
            os.symlink(ROOT / "tests" / "data" / "models", Path(tmp) / "models")
            t0 = time.time()
            proc = subprocess.run([oracle, *case["args"]], cwd=tmp, capture_output=True,
                                  text=True, check=False)
            dest = OUT / name
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            for out in case.get("outputs", []):
                if (Path(tmp) / out).exists():
                    shutil.copyfile(Path(tmp) / out, dest / out)
            if case.get("stdout"):
                (dest / "stdout.txt").write_text(proc.stdout[-20000:])
            (dest / "case.json").write_text(json.dumps({
                "tool": "sleap-nn 0.3.5", "command": ["sleap-nn", *case["args"]],
                "args": case["args"], "returncode": proc.returncode,
                "seconds": round(time.time() - t0, 2), "note": case.get("note", ""),
            }, indent=2))
            print(name, proc.returncode, round(time.time() - t0, 1), flush=True)
            if proc.returncode:
                print(proc.stderr[-1500:])


if __name__ == "__main__":
    main()
