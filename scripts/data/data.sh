#!/usr/bin/env bash
# The project's data step (`npm run data`): builds the real-photo food / not-food set into data/ (git-ignored).
#
#   bash scripts/data/data.sh                 build with the shared dataset script (1-2 min, ~550 MB of downloads, cached)
#   DATASET_SCRIPT=/path/build_dataset.sh bash scripts/data/data.sh   use another copy of the dataset script
#   DATA_FROM=/tmp/ds/data bash scripts/data/data.sh                  copy an already built dataset instead of rebuilding
#   FORCE=1 bash scripts/data/data.sh          rebuild even if data/manifest.csv exists
#
# Then scripts/data/extra.ts adds the photo packs (../shared/data/photos-extra, -2, -3: 8,274 photos; PHOTOS_EXTRA=<dir>[:<dir>]
# for other copies) to data/ and its manifest, scripts/data/stamps.ts the not-food photo cut-outs of Debian's
# tuxpaint-stamps-default (flattened onto plain colours and real scenes), and scripts/data/external.ts builds data/external/: the external test set (plated dishes and fruit from small
# Debian packages that training does not use; `npm run model:external`).
# Idempotent: if data/manifest.csv exists and every photo it lists is present, only the external step runs (a no-op
# when its photos are there too).
# Other environment variables (WORK, MAX_SIDE, WITH_EDGE, SKIP_BIG, ...) are passed through to build_dataset.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEST="${DATA_DIR:-$ROOT/data}"
SCRIPT="${DATASET_SCRIPT:-$ROOT/../shared/data/build_dataset.sh}"

complete () {
  [ -f "$DEST/manifest.csv" ] || return 1
  local missing
  missing=$(tail -n +2 "$DEST/manifest.csv" | cut -d, -f1,2 | while IFS=, read -r cls file; do
    [ -f "$DEST/$cls/$file" ] || echo "$cls/$file"
  done | head -5)
  [ -z "$missing" ] || { echo "data/: missing $missing" >&2; return 1; }
}

extra () {
  bash "$ROOT/scripts/model/fetch-coco-ssd.sh"
  (cd "$ROOT" && npx --no-install tsx scripts/data/extra.ts "$DEST")
  (cd "$ROOT" && npx --no-install tsx scripts/data/stamps.ts "$DEST")
  (cd "$ROOT" && npx --no-install tsx scripts/data/external.ts "$DEST")
}

if [ "${FORCE:-0}" != 1 ] && complete; then
  extra
  echo "data/ is complete ($(($(wc -l < "$DEST/manifest.csv") - 1)) photos in manifest.csv); FORCE=1 to rebuild"
  exit 0
fi

mkdir -p "$DEST"
if [ -n "${DATA_FROM:-}" ]; then
  echo "copying dataset from $DATA_FROM to $DEST"
  for d in food not_food ambiguous edge_cases; do
    if [ -d "$DATA_FROM/$d" ]; then rm -rf "${DEST:?}/$d"; cp -r "$DATA_FROM/$d" "$DEST/$d"; fi
  done
  cp "$DATA_FROM/manifest.csv" "$DEST/manifest.csv"
else
  if [ ! -f "$SCRIPT" ]; then
    echo "dataset script not found: $SCRIPT (set DATASET_SCRIPT=..., or DATA_FROM=<built dataset dir>)" >&2
    exit 1
  fi
  bash "$SCRIPT" "$DEST"
fi
extra
complete
echo "data/ ready: $(($(wc -l < "$DEST/manifest.csv") - 1)) photos"
