#!/usr/bin/env bash
# The test command: builds the environment if missing, then runs the suite, the import
# contracts, ruff and mypy. Exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$("$ROOT/scripts/env.sh")"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"
status=0
echo "== import contracts"; lint-imports --no-cache || status=1
echo "== ruff"; ruff check src tests scripts benchmarks || status=1
echo "== mypy"; mypy || status=1
echo "== pytest"
WORKERS="${POSE_TEST_WORKERS:-2}"
pytest -q -n "$WORKERS" "$@" || status=1
exit $status
