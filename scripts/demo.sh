#!/usr/bin/env bash
# The main job on sample data shipped in the repo (builds the environment if missing):
#  1. top-down prediction + identity tracking on 100 frames of a two-fly video,
#  2. offline identity tracking of 1500 frames of real predictions, scored against the
#     proofread ground truth with `pose eval` (pose metrics + identity metrics).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$("$ROOT/scripts/env.sh")"
DATA="$ROOT/tests/data"
OUT="${1:-$ROOT/out}"
mkdir -p "$OUT"
POSE="$VENV/bin/pose"
"$POSE" track -i "$DATA/videos/centered_pair_small.mp4" --frames 0-99 \
  -m "$DATA/models/sleapnn/centroid" -m "$DATA/models/sleapnn/centered_instance" \
  -t --max_tracks 2 --candidates_method local_queues -o "$OUT/demo.predictions.slp"
"$POSE" track -i "$DATA/labels/clip.predictions.untracked.slp" -t --tracker global \
  -o "$OUT/clip.tracked.slp" --overwrite
"$POSE" eval -g "$DATA/labels/clip.2node.slp" -p "$OUT/clip.tracked.slp" \
  -s "$OUT/clip.metrics.npz"
echo "outputs in $OUT"
