#!/usr/bin/env bash
# Quality on the real samples, this toolkit's apps next to the same recipe in Keras on the same
# split. Heavy (about an hour on 2 cores): run one dataset at a time, nothing else alongside.
#   bash bench/quality/run-quality.sh [dsb2018|isbi|spacenet ...]   (default: all three)
# Results: bench/results/quality-<dataset>.json (and the runs under $RUNS, default /tmp/unet-quality).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="$(cd "$root/.." && pwd)/shared/data"
runs="${RUNS:-/tmp/unet-quality}"
py="$(bash "$root/scripts/keras-venv.sh")"
mkdir -p "$runs" "$root/bench/results"
export TF_CPP_MIN_LOG_LEVEL=2

# ours NAME APP DATA [train flags...]: train with the app, then evaluate its validation split.
ours() {
  local name=$1 app=$2 data=$3; shift 3
  local out="$runs/$name-tfjs"
  rm -rf "$out"
  local start=$SECONDS
  node "$root/apps/$app/dist/cli.js" train --data "$data" --out "$out" "$@" 2>&1 | tail -3
  echo "train_seconds=$((SECONDS - start))" > "$out/train-seconds.txt"
  node "$root/apps/$app/dist/cli.js" evaluate --data "$data" --model "$out/model" \
    --split "$out/split.json" --out "$out/eval" 2>&1 | tail -7
  # Scored at the model's input size too, as the Keras script scores.
  node "$root/apps/$app/dist/cli.js" evaluate --data "$data" --model "$out/model" \
    --split "$out/split.json" --out "$out/eval-model-size" --at-model-size 2>&1 | tail -5
}

# keras NAME SPLIT [train_reference flags...]
keras() {
  local name=$1 split=$2; shift 2
  "$py" "$root/bench/keras/train_reference.py" --split "$split" --out "$runs/$name-keras" "$@" | tail -1
}

summarize() {
  node "$root/bench/quality/summarize.mjs" "$runs" "$1" "$root/bench/results/quality-$1.json"
}

datasets=("$@")
[ ${#datasets[@]} -gt 0 ] || datasets=(dsb2018 isbi spacenet)
for dataset in "${datasets[@]}"; do
  case $dataset in
    dsb2018)
      ours dsb2018 dsb2018 "$shared/dsb2018/stage1_train"
      keras dsb2018 "$runs/dsb2018-tfjs/split.json" --dataset dsb2018 --data "$shared/dsb2018/stage1_train" \
        --image-size 128 --batch-size 8 --epochs 250 --patience 40 --reduce-lr-patience 20 --augment --max-minutes 14
      summarize dsb2018 ;;
    isbi)
      ours isbi folder "$shared/isbi2012/train"
      keras isbi "$runs/isbi-tfjs/split.json" --dataset folder --data "$shared/isbi2012/train" \
        --image-size 256 --batch-size 4 --epochs 100 --patience 15 --reduce-lr-patience 7 --augment --loss bce_dice --max-minutes 14
      summarize isbi ;;
    spacenet)
      scene="$runs/spacenet-scene"
      mkdir -p "$scene/images" "$scene/polygons"
      ln -sf "$shared/spacenet-atlanta/sample_geotiff.tif" "$scene/images/atlanta.tif"
      ln -sf "$shared/spacenet-atlanta/gj_to_px_result.geojson" "$scene/polygons/atlanta.geojson"
      node "$root/bench/quality/make-quadrant-split.mjs" "$runs/spacenet-split.json"
      ours spacenet satellite "$scene" --split "$runs/spacenet-split.json"
      keras spacenet "$runs/spacenet-split.json" --dataset satellite --data "$shared/spacenet-atlanta" \
        --polygons gj_to_px_result.geojson --image-size 128 --batch-size 4 --epochs 300 --patience 300 \
        --augment --loss bce_dice --max-minutes 14
      summarize spacenet ;;
    *) echo "unknown dataset $dataset (dsb2018, isbi, spacenet)" >&2; exit 2 ;;
  esac
done
