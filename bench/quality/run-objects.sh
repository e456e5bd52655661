#!/usr/bin/env bash
# The object and compiled-step quality figures of the README, on the shared samples, each recipe
# next to the one it may replace on the same split (issues 14 and 17):
#   dsb2018   binary (default) vs --targets instances: Dice, map, map_split (tuned on the
#             validation split); Dice with and without --tta d4; compiled (default) vs eager
#   isbi      Dice with and without --tta d4; compiled (default) vs eager
#   spacenet  building precision/recall/F1 on the held-out quadrant, with and without --tta d4
# Heavy (about 45 minutes on 2 cores): nothing else alongside.
#   bash bench/quality/run-objects.sh [dsb2018|dsb2018-default|dsb2018-256|isbi|spacenet|dsb2018-eager|isbi-eager ...]
# (default: dsb2018 isbi spacenet dsb2018-eager isbi-eager; dsb2018-default is the first step of
# dsb2018 alone; dsb2018-256 and the -eager entries need their dataset's run first, for the split)
# Results: bench/results/objects.json (runs under $RUNS, default /tmp/unet-objects).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="$(cd "$root/.." && pwd)/shared/data"
runs="${RUNS:-/tmp/unet-objects}"
mkdir -p "$runs" "$root/bench/results"
export TF_CPP_MIN_LOG_LEVEL=2

# train NAME APP DATA [flags...]
train() {
  local name=$1 app=$2 data=$3; shift 3
  rm -rf "${runs:?}/$name"
  local start=$SECONDS
  node "$root/apps/$app/dist/cli.js" train --data "$data" --out "$runs/$name" "$@" 2>&1 | tail -2
  echo "$((SECONDS - start))" > "$runs/$name/train-seconds.txt"
}

# evaluate NAME APP DATA EVAL_DIR [flags...]
evaluate() {
  local name=$1 app=$2 data=$3 dir=$4; shift 4
  node "$root/apps/$app/dist/cli.js" evaluate --data "$data" --model "$runs/$name/model" \
    --out "$runs/$name/$dir" "$@" 2>&1 | grep -v '^\[' | tail -12
}

# eager NAME APP DATA SPLIT: the same recipe with the compiled step off, on the compiled run's split
eager() {
  train "$1" "$2" "$3" --compile off --split "$4"
  evaluate "$1" "$2" "$3" eval --split "$4"
}

datasets=("$@")
[ ${#datasets[@]} -gt 0 ] || datasets=(dsb2018 isbi spacenet dsb2018-eager isbi-eager)
for dataset in "${datasets[@]}"; do
  case $dataset in
    dsb2018)
      data="$shared/dsb2018/stage1_train"
      split="$runs/dsb-binary/split.json"
      train dsb-binary dsb2018 "$data"
      evaluate dsb-binary dsb2018 "$data" eval --split "$split"
      evaluate dsb-binary dsb2018 "$data" eval-tta --split "$split" --tta d4
      evaluate dsb-binary dsb2018 "$data" eval-tuned --split "$split" --tune-postprocess
      train dsb-instances dsb2018 "$data" --targets instances --split "$split"
      evaluate dsb-instances dsb2018 "$data" eval --split "$split"
      evaluate dsb-instances dsb2018 "$data" eval-tuned --split "$split" --tune-postprocess ;;
    dsb2018-default)
      # The default recipe alone (no instances, no TTA): the run dsb2018-eager is compared with.
      data="$shared/dsb2018/stage1_train"
      train dsb-binary dsb2018 "$data"
      evaluate dsb-binary dsb2018 "$data" eval --split "$runs/dsb-binary/split.json" ;;
    dsb2018-256)
      # Both recipes trained at 256 px instead of 128 (the images are 256-1040 px wide), on the
      # dsb2018 entry's split.
      data="$shared/dsb2018/stage1_train"
      split="$runs/dsb-binary/split.json"
      train dsb-256 dsb2018 "$data" --image-size 256 --split "$split"
      evaluate dsb-256 dsb2018 "$data" eval --split "$split"
      evaluate dsb-256 dsb2018 "$data" eval-tta --split "$split" --tta d4
      # Tuning writes the model's postprocess.json, which later evaluations read: it goes last.
      evaluate dsb-256 dsb2018 "$data" eval-tuned --split "$split" --tune-postprocess
      evaluate dsb-256 dsb2018 "$data" eval-tta-tuned --split "$split" --tta d4
      train dsb-instances-256 dsb2018 "$data" --image-size 256 --targets instances --split "$split"
      evaluate dsb-instances-256 dsb2018 "$data" eval --split "$split"
      evaluate dsb-instances-256 dsb2018 "$data" eval-tuned --split "$split" --tune-postprocess ;;
    dsb2018-eager) eager dsb-eager dsb2018 "$shared/dsb2018/stage1_train" "$runs/dsb-binary/split.json" ;;
    isbi)
      data="$shared/isbi2012/train"
      split="$runs/isbi/split.json"
      train isbi folder "$data"
      evaluate isbi folder "$data" eval --split "$split"
      evaluate isbi folder "$data" eval-tta --split "$split" --tta d4 ;;
    isbi-eager) eager isbi-eager folder "$shared/isbi2012/train" "$runs/isbi/split.json" ;;
    spacenet)
      scene="$runs/spacenet-scene"
      quadrant="$runs/spacenet-quadrant"
      mkdir -p "$scene/images" "$scene/polygons"
      ln -sf "$shared/spacenet-atlanta/sample_geotiff.tif" "$scene/images/atlanta.tif"
      ln -sf "$shared/spacenet-atlanta/gj_to_px_result.geojson" "$scene/polygons/atlanta.geojson"
      node "$root/bench/quality/make-quadrant-split.mjs" "$runs/spacenet-split.json"
      node "$root/bench/quality/make-quadrant-scene.mjs" "$shared/spacenet-atlanta/sample_geotiff.tif" \
        "$shared/spacenet-atlanta/gj_to_px_result.geojson" "$quadrant"
      train spacenet satellite "$scene" --split "$runs/spacenet-split.json"
      evaluate spacenet satellite "$quadrant" eval
      evaluate spacenet satellite "$quadrant" eval-tta --tta d4 ;;
    *) echo "unknown entry $dataset (dsb2018, dsb2018-default, dsb2018-256, isbi, spacenet, dsb2018-eager, isbi-eager)" >&2; exit 2 ;;
  esac
done
node "$root/bench/quality/summarize-objects.mjs" "$runs" "$root/bench/results/objects.json"
