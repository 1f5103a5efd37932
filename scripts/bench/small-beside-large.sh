#!/bin/bash
# Are other clients still served while 16 clients upload 12 MP photos? Starts the built service (default settings,
# plus any VAR=value arguments), runs 4 clients of small photos alone, then the same 4 started beside 16 clients
# uploading the phone photos, and prints each side's answers/s, p50/p99 and errors, and the server's peak RSS.
#
#   bash scripts/bench/small-beside-large.sh [VAR=value ...]
#   SMALL=<dir of small JPEGs> (default test/fixtures/photos/food) LOAD=../shared/bench-peers/load.mjs
#   (the phone photos: BENCH_PHOTOS=phone npm run bench:threads makes bench/phone-photos/ once)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
load=${LOAD:-$here/../shared/bench-peers/load.mjs}
small=${SMALL:-$here/test/fixtures/photos/food}
phone=$here/bench/phone-photos
[ -f "$load" ] || { echo "no load generator at $load (set LOAD=.../bench-peers/load.mjs)" >&2; exit 2; }
[ -d "$phone" ] || { echo "no $phone: run BENCH_PHOTOS=phone npm run bench:threads once to make it" >&2; exit 2; }
port=$((20000 + RANDOM % 20000))
out=$(mktemp -d)
(cd "$here" && exec env PORT=$port HOST=127.0.0.1 "$@" node dist/server.js > "$out/server.log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.5; done
server=$(pgrep -P $pid -f dist/server.js || echo $pid)
summary() {
  node -e 'const lines = require("fs").readFileSync(0, "utf8").trim().split("\n"); const d = JSON.parse(lines[lines.length - 1])
console.log(`${process.argv[1].padEnd(34)} ${d.concurrency} clients: ${d.rps} answers/s, p50 ${Math.round(d.p50_ms)} ms, p99 ${Math.round(d.p99_ms)} ms, errors ${d.errors}${d.errors ? " " + JSON.stringify(d.error_kinds) : ""}`)' "$1"
}
node "$load" --url "http://127.0.0.1:$port/predict" --images "$small" --concurrency 4 --duration 15 --warmup 2 2>/dev/null | summary "small photos alone"
node "$load" --url "http://127.0.0.1:$port/predict" --images "$phone" --concurrency 16 --duration 20 --warmup 2 2>/dev/null > "$out/large.json" &
large=$!
sleep 3
node "$load" --url "http://127.0.0.1:$port/predict" --images "$small" --concurrency 4 --duration 15 --warmup 0 2>/dev/null | summary "small photos beside 12 MP uploads"
wait $large
summary "12 MP uploads" < "$out/large.json"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$server/status)"
