#!/usr/bin/env bash
# Several builds of this project under the peers' load, interleaved, to tell a change's cost from the machine's
# noise: each build is started as ../shared/bench-peers/run-peers.sh starts "project" (node dist/server.js,
# LOG_LEVEL=warn, MALLOC_ARENA_MAX=2, bench/peers.env) and loaded by the peers' load.mjs with the peers' photos.
# Rounds alternate the order (ABC, CBA, ABC, ...). Prints one JSON line per point, then req/s and p99 per build.
#
# Usage: bash scripts/bench/builds-side-by-side.sh DIR1 DIR2 [...]   (each DIR a built clone: npm ci && npm run build)
# env: ROUNDS (3), CLIENTS (16), SECONDS_PER_POINT (15), PEERS_WORK (/tmp/peers-work: run run-peers.sh once first,
#      which fetches the photos and copies load.mjs there), OUT (/tmp/builds-side-by-side)
set -euo pipefail
(( $# >= 2 )) || { echo "usage: $0 BUILD_DIR BUILD_DIR [...]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${PEERS_WORK:-/tmp/peers-work}
IMAGES=$WORK/pictures/package/assets
[[ -f $WORK/src/load.mjs && -d $IMAGES ]] || { echo "no $WORK/src/load.mjs or photos: run ../shared/bench-peers/run-peers.sh once first" >&2; exit 2; }
ENVV=$(cat "$ROOT/bench/peers.env")
OUT=${OUT:-/tmp/builds-side-by-side}; mkdir -p "$OUT"; : > "$OUT/results.jsonl"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
point() { # build-dir round
  local dir=$1 k=$2 p pid out
  p=$(port)
  ( cd "$dir" && exec env PORT="$p" HOST=127.0.0.1 LOG_LEVEL=warn MALLOC_ARENA_MAX=2 $ENVV node dist/server.js ) >"$OUT/$(basename "$dir")-$k.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$p/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  node "$WORK/src/tools/cpumon.cjs" wait-quiet 0.2 60 >/dev/null
  out=$(node "$WORK/src/load.mjs" --url "http://127.0.0.1:$p/predict" --images "$IMAGES" --concurrency "${CLIENTS:-16}" \
    --duration "${SECONDS_PER_POINT:-15}" --warmup 2 --watch-pid "$pid")
  echo "{\"build\":\"$dir\",\"commit\":\"$(git -C "$dir" rev-parse --short HEAD)\",\"round\":$k,\"load\":$out}" | tee -a "$OUT/results.jsonl"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
builds=("$@")
for (( k = 1; k <= ${ROUNDS:-3}; k++ )); do
  if (( k % 2 == 0 )); then order=(); for (( i = ${#builds[@]} - 1; i >= 0; i-- )); do order+=("${builds[i]}"); done; else order=("${builds[@]}"); fi
  for dir in "${order[@]}"; do point "$dir" "$k"; done
done
python3 - "$OUT/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for build in dict.fromkeys(r['build'] for r in rows):
    runs = [r['load'] for r in rows if r['build'] == build]
    rps = [r['rps'] for r in runs]
    m = statistics.median(rps)
    print(f"{build}: req/s {rps} median {m:.1f} spread {100 * (max(rps) - min(rps)) / m:.0f}%; p99 ms {[r['p99_ms'] for r in runs]}; errors {sum(r['errors'] for r in runs)}; other processes, cores {[r['foreign_cores'] for r in runs]}")
PY
