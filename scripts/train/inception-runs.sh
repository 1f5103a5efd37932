#!/bin/bash
# Issue 26 (Model v4): the replica runs of nsfwjs InceptionV3's pooled features (mixed5: ImageNet, untouched by nsfwjs;
# mixed7: partly tuned; mixed10 = flatten_1: the NSFW-tuned top), alone and beside COCO-SSD's, each paired with food
# 4.0.0's recipe (run `base`). After `npx tsx scripts/train/inception-features.ts 299 mixed5,mixed7,mixed10`:
#   bash scripts/train/inception-runs.sh 2>&1 | tee inception-runs.log
# Saved runs: data/cache/replica/runs/inc-*.{npy,json}. Settings are chosen on the grouped figures only.
set -e
cd "$(dirname "$0")/../.."
R="/usr/bin/python3 scripts/train/replica.py"
SSD=coco_ssd-300-fill
run () { echo; echo "### $*"; $R "$@"; }
# control: the reference features standardised (what the concatenations below do to COCO-SSD's columns)
run --features $SSD --standardise --l2 0.01 --alpha 0 --save inc-coco-std --against base
for layer in mixed5 mixed7 mixed10; do
  F=inception_v3-299-fill-$layer
  for l2 in 0.01 0.001; do
    run --features $F --standardise --l2 $l2 --alpha 0 --save inc-$layer-l2-$l2 --against base
  done
  run --features $SSD --features $F --standardise --l2 0.01 --alpha 0 --save inc-coco+$layer --against base
done
