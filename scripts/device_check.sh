#!/usr/bin/env bash
# Device check (issue 17): on a machine with an NVIDIA GPU and torch built with CUDA,
#   1. install the project from carried wheels (WHEELS=dir, default ./wheels; skipped when absent),
#   2. run the GPU tests (pytest -m gpu),
#   3. check CUDA outputs against CPU outputs within the parity tolerance (0.05 px, 0.01 score),
#   4. print throughput and per-frame latency (predict_frame p50/p99) for top-down and bottom-up
#      at 1024² (tests/data/videos/clip.mp4).
# Without a GPU it says so and runs the same steps on the CPU, with few frames.
#
#   scripts/device_check.sh            # FRAMES=N to change the number of timed frames
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
WHEELS=${WHEELS:-wheels}

if command -v nvidia-smi >/dev/null 2>&1 && "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  DEVICE=cuda
  FRAMES=${FRAMES:-200}
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  DEVICE=cpu
  FRAMES=${FRAMES:-6}
  echo "device_check: no NVIDIA GPU with CUDA-enabled torch here; running the same steps on the CPU (${FRAMES} frames)"
fi

echo "== 1. install"
if [ -d "$WHEELS" ] && ls "$WHEELS"/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install --no-index --find-links "$WHEELS" "$WHEELS"/pose-*.whl
else
  echo "no wheels in $WHEELS/: using the environment as it is ($("$PY" -c 'import pose, os; print(os.path.dirname(pose.__file__))'))"
fi

echo "== 2. tests"
if [ "$DEVICE" = cuda ]; then
  "$PY" -m pytest -q -p no:cacheprovider -m gpu tests
else
  "$PY" -m pytest -q -p no:cacheprovider -m "not slow" tests/integration/embed
fi

echo "== 3. parity and 4. speed"
"$PY" scripts/device_check.py --device "$DEVICE" --frames "$FRAMES"
