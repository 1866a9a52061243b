#!/usr/bin/env bash
# Create (once) and print the project's virtual environment: .venv with torch 2.13.0 (CPU) and
# the package installed editable with its dev, openvino, legacy (TensorFlow), ray, render, nwb,
# dlc and test-readers extras, plus the example output-format plug-in of tests/plugins (it proves
# the pose.output_formats entry point).
# Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${POSE_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
STAMP="$VENV/.pose-installed"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV" >&2
fi
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "torch==2.13.0" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    -e "$ROOT[dev,openvino,legacy,ray,render,nwb,dlc,test-readers]" "torch==2.13.0" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps \
    -e "$ROOT/tests/plugins/pose_example_format" >&2
  touch "$STAMP"
fi
echo "$VENV"
