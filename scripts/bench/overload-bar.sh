#!/bin/bash
# The overload issue's bar, with the peers' load generator: for each built checkout given (default: this one), start
# the service with its default settings, drive it with ../shared/bench-peers/load.mjs (closed loop, ignoring
# Retry-After, --watch-pid on the server) at 16, 128 and 256 clients, 3 s warm-up and 15 s per point, and print a
# table row per point: 200/s, 503/s, p50/p99 of the 200s (and the p99 against 16 clients), server cores, 200/s per
# server core (and against 16 clients), server CPU per refusal, the load generator's CPU.
#   bash scripts/bench/overload-bar.sh [BUILT_CHECKOUT...]
#   PHOTOS=dir CLIENTS="16 128 256" SECONDS_PER_POINT=15 LOAD=../shared/bench-peers/load.mjs
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
load=${LOAD:-$here/../shared/bench-peers/load.mjs}
photos=${PHOTOS:-$here/test/fixtures/photos/food}
clients=${CLIENTS:-16 128 256}
[ -f "$load" ] || { echo "no load generator at $load (set LOAD=.../bench-peers/load.mjs)" >&2; exit 2; }
out=$(mktemp -d)
[ $# -gt 0 ] || set -- "$here"
echo "| build | clients | 200/s | 503/s | p50 / p99 of the 200s | server cores | 200/s per server core | server CPU per refusal | load generator CPU |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
for build in "$@"; do
  name=$(git -C "$build" log -1 --format=%h 2>/dev/null || basename "$build")
  port=$((20000 + RANDOM % 20000))
  (cd "$build" && exec env PORT=$port HOST=127.0.0.1 node dist/server.js > "$out/server-$name.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 240); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.5; done
  server=$(pgrep -P $pid -f dist/server.js || echo $pid)
  for c in $clients; do
    node "$load" --url "http://127.0.0.1:$port/predict" --images "$photos" --concurrency "$c" --duration "${SECONDS_PER_POINT:-15}" --warmup 3 --watch-pid "$server" 2>/dev/null | tail -1 > "$out/$name-$c.json"
  done
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  node -e '
const [dir, name, ...clients] = process.argv.slice(1)
const read = c => JSON.parse(require("fs").readFileSync(`${dir}/${name}-${c}.json`, "utf8"))
const base = read(clients[0]); const cpuPerOk = base.server_cpu_s / base.ok; const basePerCore = base.rps / base.server_cores
for (const c of clients) {
  const o = read(c); const perCore = o.rps / o.server_cores; const first = c === clients[0]
  const cpuPerRefusal = o.errors ? `${((o.server_cpu_s - o.ok * cpuPerOk) / o.errors * 1000).toFixed(2)} ms` : ""
  const other = Object.entries(o.error_kinds ?? {}).filter(([k]) => k !== "HTTP 503").map(([k, v]) => `${v} ${k}`).join(", ")
  console.log(`| ${first ? name : ""} | ${c} | ${o.rps} | ${(o.errors / o.elapsed_s).toFixed(0)} | ${Math.round(o.p50_ms)} / ${Math.round(o.p99_ms)} ms${first ? "" : ` (${(o.p99_ms / base.p99_ms).toFixed(2)}x)`} | ${o.server_cores} | ${perCore.toFixed(1)}${first ? "" : ` (${(perCore / basePerCore).toFixed(2)}x)`} | ${cpuPerRefusal} | ${o.client_cpu_s} s |${other ? ` other errors: ${other}` : ""}`)
}' "$out" "$name" $clients
done
rm -rf "$out"
