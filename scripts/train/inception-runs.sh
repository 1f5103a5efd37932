#!/bin/bash
# Issue 26 (Model v4): the replica runs of nsfwjs InceptionV3's pooled features (mixed5: ImageNet, untouched by nsfwjs;
# mixed7: partly tuned; mixed10 = flatten_1: the NSFW-tuned top), alone and beside COCO-SSD's, each paired with food
# 4.0.0's recipe (run `base`). After `npx tsx scripts/train/inception-features.ts 299 mixed5,mixed7,mixed10`:
#   bash scripts/train/inception-runs.sh [main|sweep|std] 2>&1 | tee inception-runs.log
# main: raw columns (as `base` and the earlier mobilenet_v2 concatenation `cat`): each layer alone at L2 0.01 and 0.001,
# and beside COCO-SSD's at L2 0.01. std: --standardise, which alone costs COCO-SSD's features 6 points at L2 0.01
# (run inc-coco-std: the penalty on standardised weights is far weaker, as its columns' sd is ~0.05).
# sweep: the least harmful concatenation (mixed7) at L2 0.003 / 0.03 / 0.1, COCO-SSD alone at 0.03 / 0.1 as controls,
# and each concatenation paired with COCO-SSD alone at the same L2.
# Saved runs: data/cache/replica/runs/inc-*.{npy,json}. Settings are chosen on the grouped figures only.
set -e
cd "$(dirname "$0")/../.."
R="/usr/bin/python3 scripts/train/replica.py"
SSD=coco_ssd-300-fill
run () { echo; echo "### $*"; $R "$@"; }
if [ "${1:-main}" = main ]; then
  for layer in mixed5 mixed7 mixed10; do
    F=inception_v3-299-fill-$layer
    run --features $SSD --features $F --l2 0.01 --alpha 0 --save inc-coco+$layer --against base
  done
  for layer in mixed5 mixed7 mixed10; do
    F=inception_v3-299-fill-$layer
    for l2 in 0.01 0.001; do
      run --features $F --l2 $l2 --alpha 0 --save inc-$layer-l2-$l2 --against base
    done
  done
elif [ "$1" = sweep ]; then
  # the least harmful concatenation (mixed7, chosen on the grouped figures) at a weaker and a stronger L2
  for l2 in 0.003 0.03 0.1; do
    run --features $SSD --features inception_v3-299-fill-mixed7 --l2 $l2 --alpha 0 --save inc-coco+mixed7-l2-$l2 --against base
  done
  # control: COCO-SSD's features alone at the stronger L2 (is it the penalty, not the added columns?)
  for l2 in 0.03 0.1; do
    run --features $SSD --l2 $l2 --alpha 0 --save inc-coco-l2-$l2 --against base
  done
  # each concatenation paired with COCO-SSD alone at the same L2 (no refit: the saved held-out p(food))
  /usr/bin/python3 - <<'PY'
import json, os, sys
import numpy as np
sys.path.insert(0, 'scripts/train')
from replica import paired, REPLICA
meta = json.load(open(os.path.join(REPLICA, 'coco_ssd-300-fill', 'meta.json')))
y = np.array([r['y'] for r in meta['train']]); groups = np.array([r['group'] for r in meta['train']])
for l2 in ('0.03', '0.1'):
    new = np.load(os.path.join(REPLICA, 'runs', f'inc-coco+mixed7-l2-{l2}.npy')); old = np.load(os.path.join(REPLICA, 'runs', f'inc-coco-l2-{l2}.npy'))
    c = paired(new, old, y, groups)
    print(f"L2 {l2}: coco+mixed7 against coco alone: {100 * c['diff']:+.2f} points; only concatenation right {c['onlyNewRight']}, only coco {c['onlyOldRight']} "
          f"(McNemar p {c['mcnemarP']:.3g}); groups better / worse / same {c['groupsBetter']} / {c['groupsWorse']} / {c['groupsSame']}; "
          f"bootstrap 95% {100 * c['bootstrap95'][0]:+.2f} .. {100 * c['bootstrap95'][1]:+.2f}")
PY
else
  run --features $SSD --standardise --l2 0.01 --alpha 0 --save inc-coco-std --against base
  run --features inception_v3-299-fill-mixed5 --standardise --l2 0.01 --alpha 0 --save inc-mixed5-std --against base
  for layer in mixed5 mixed7 mixed10; do
    run --features $SSD --features inception_v3-299-fill-$layer --standardise --l2 0.01 --alpha 0 --save inc-coco+$layer-std --against base
  done
fi
