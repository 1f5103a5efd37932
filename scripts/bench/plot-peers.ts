/**
 * Plots a run of ../shared/bench-peers/run-peers.sh: requests/s and p99 against clients, a line per server.
 *
 *   npx tsx scripts/bench/plot-peers.ts bench/results/peers-int8.json bench/results/peers-int8.svg "subtitle"
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { plotSvg, type Series } from './plot.js'

interface Stat { median: number }
interface PeerRun { by_concurrency: Record<string, { rps: Stat, p99_ms: Stat }> }

const [input, output, subtitle = ''] = process.argv.slice(2)
if (input === undefined || output === undefined) throw new Error('usage: plot-peers.ts <results.json> <out.svg> [subtitle]')
const results = JSON.parse(readFileSync(input, 'utf8')) as { peers: Record<string, PeerRun> }
const COLORS: Record<string, string> = { project: '#d62728', 'ort-node-1t': '#1f77b4', 'ort-node': '#17becf', 'flask-torch-ob1': '#2ca02c', 'flask-torch': '#98df8a', 'naive-node': '#7f7f7f' }
const NAMES: Record<string, string> = { project: 'this service', 'ort-node-1t': 'onnxruntime, 1 thread', 'flask-torch-ob1': 'Flask + PyTorch', 'naive-node': 'naive tfjs-wasm' }
const series: Series[] = Object.entries(results.peers).map(([peer, run]) => ({
  name: NAMES[peer] ?? peer,
  color: COLORS[peer] ?? '#000',
  points: Object.entries(run.by_concurrency).map(([c, p]) => ({ concurrency: Number(c), rps: p.rps.median, p99: p.p99_ms.median })).sort((a, b) => a.concurrency - b.concurrency)
}))
writeFileSync(output, plotSvg(series, 'MobileNetV2 1.0 224 served over HTTP: this service against its peers', subtitle))
console.log(`wrote ${output}`)
