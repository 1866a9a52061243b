#!/usr/bin/env bash
# The main job on sample data shipped in the repo: top-down prediction + tracking on a short
# clip, then evaluation of the result against itself. Builds the environment if missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$("$ROOT/scripts/env.sh")"
DATA="$ROOT/tests/data"
OUT="${1:-$ROOT/out}"
mkdir -p "$OUT"
"$VENV/bin/pose" track -i "$DATA/videos/centered_pair_small.mp4" --frames 0-99 \
  -m "$DATA/models/sleapnn/centroid" -m "$DATA/models/sleapnn/centered_instance" \
  -t --max_tracks 2 --candidates_method local_queues -o "$OUT/demo.predictions.slp"
echo "wrote $OUT/demo.predictions.slp"
