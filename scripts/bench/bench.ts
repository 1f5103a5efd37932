/**
 * npm run bench: throughput and latency of the service, pooled (worker threads + dynamic batching) against a
 * naive mode of the same service (one predict per request on the main thread), over real HTTP with real
 * photos at several concurrencies; then the engine alone, in process. Prints a table, writes JSON and an SVG.
 *
 *   npm run bench                               both modes, levels 1,4,16,64, 10 s each; the naive mode serves
 *                                               the same model (food 3.0.0) on the main thread, one predict per
 *                                               request, on wasm (the tutorial's way)
 *   npm run bench -- --url http://host:3000     load an already running service (one mode)
 *   BENCH_SECONDS=5 BENCH_LEVELS=1,16 npm run bench
 *   MODEL_DIR=model/food-v2 npm run bench       another model (results are named after it); for food 2.0.0 the
 *                                               naive mode serves it unfused (its Keras-style layers model,
 *                                               exported to bench/unfused-food on first use by
 *                                               scripts/model/export-unfused.ts), for others the same model
 *   NAIVE_MODEL_DIR=dir                         the naive mode serves this model instead
 *   BENCH_BACKEND=wasm                          the pooled mode's and the engine's backend (default: auto, the
 *                                               service's own choice: onnxruntime where it loads)
 *   BENCH_PHOTOS=phone|mixed                    12 MP phone photos (2-4 MB JPEGs) instead of / with the fixtures
 */
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { onOnnxRuntime, selectBackend, type BackendPreference } from '../../services/engines/backend.js'
import { loadConfig } from '../../services/common/config.js'
import { prepareOnnxModel } from '../../services/engines/onnx/prepare.js'
import { preprocessImage } from '../../services/image/decode.js'
import type { Pixels } from '../../services/image/pixels.js'
import { projectRoot } from '../../services/common/project.js'
import { ServedModel, type InferenceSettings } from '../../services/models/served-model.js'
import { benchPhotos, driveEngine, multipartUpload, percentile, runLoad, type LoadResult } from './load.js'
import { plotSvg } from './plot.js'
import { startServer, type RunningServer } from './server.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const levels = (process.env.BENCH_LEVELS ?? '1,4,16,64').split(',').map(Number)
const urlArg = process.argv.indexOf('--url')
const externalUrl = urlArg > 0 ? process.argv[urlArg + 1] : undefined
const outDir = join(projectRoot, 'bench/results')
const modelDir = process.env.MODEL_DIR ?? join(projectRoot, 'model/food')
const benchBackend = (process.env.BENCH_BACKEND ?? 'auto') as BackendPreference
const unfusedDefault = join(projectRoot, 'bench/unfused-food')
const naiveModelDir = process.env.NAIVE_MODEL_DIR ?? (resolve(modelDir) === join(projectRoot, 'model/food-v2') ? unfusedDefault : modelDir)
if (externalUrl === undefined && naiveModelDir === unfusedDefault && !existsSync(join(naiveModelDir, 'model.json'))) {
  execSync('npx tsx scripts/model/export-unfused.ts', { cwd: projectRoot, stdio: 'inherit' })
}
const unfused = naiveModelDir !== modelDir
const naiveNote = unfused ? ', naive: unfused layers model' : ''
const modelName = (JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8')).name as string) + (unfused ? '-vs-unfused' : '')

interface ModeResult { mode: string, env: Record<string, string>, levels: Array<LoadResult & { meanBatch: number }> }

async function modelCounts (url: string): Promise<{ requests: number, batches: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await fetch(`${url}/models`)
    if (res.ok) {
      const { models } = await res.json() as { models: Array<{ inference: { requests: number, batches: number } }> }
      return models[0].inference
    }
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return { requests: NaN, batches: NaN }
}

async function measureLevel (mode: string, url: string, concurrency: number, uploads: ReturnType<typeof multipartUpload>[]): Promise<LoadResult & { meanBatch: number }> {
  const before = await modelCounts(url)
  const load = await runLoad(url, uploads, concurrency, seconds)
  const after = await modelCounts(url)
  const meanBatch = (after.requests - before.requests) / Math.max(1, after.batches - before.batches)
  console.log(`${mode.padEnd(7)} c=${String(concurrency).padEnd(3)} ${load.rps.toFixed(1).padStart(6)} req/s  p50 ${load.p50.toFixed(0).padStart(5)} ms  p95 ${load.p95.toFixed(0).padStart(5)} ms  p99 ${load.p99.toFixed(0).padStart(5)} ms  errors ${load.errors}  mean batch ${meanBatch.toFixed(2)}  ${JSON.stringify(load.statuses)}`)
  return { ...load, meanBatch }
}

/**
 * Every mode at every level. The modes' servers all run from the start and take turns per level (A B, then B A, ...),
 * so a machine whose speed drifts during the run (shared hosts do) shifts both sides of a ratio alike; an idle
 * server uses no CPU.
 */
async function interleavedLevels (servers: Array<{ mode: string, url: string, env: Record<string, string> }>, uploads: ReturnType<typeof multipartUpload>[]): Promise<ModeResult[]> {
  for (const s of servers) await runLoad(s.url, uploads, 4, 2) // warm-up
  const results: ModeResult[] = servers.map(s => ({ mode: s.mode, env: s.env, levels: [] }))
  for (const [i, concurrency] of levels.entries()) {
    const order = servers.map((_, k) => k)
    if (i % 2 === 1) order.reverse()
    for (const k of order) results[k].levels[i] = await measureLevel(servers[k].mode, servers[k].url, concurrency, uploads)
  }
  return results
}

/** The engine alone: preprocessed real photos submitted at high concurrency, no HTTP. */
const config = loadConfig({})
const engineBackend = await selectBackend(benchBackend, undefined, async name => {
  if (onOnnxRuntime(name)) await prepareOnnxModel(modelDir, { cacheDir: config.ONNX_CACHE_DIR, checkPhotosDir: config.ONNX_CHECK_PHOTOS, precision: config.ONNX_PRECISION })
})
const engineOnnx = onOnnxRuntime(engineBackend.name) ? await prepareOnnxModel(modelDir, { cacheDir: config.ONNX_CACHE_DIR, checkPhotosDir: config.ONNX_CHECK_PHOTOS, precision: config.ONNX_PRECISION }) : undefined

async function inProcess (settings: InferenceSettings, inputs: Pixels[], secs: number): Promise<{ imagesPerSecond: number, p50: number, p99: number, meanBatch: number }> {
  const ort = onOnnxRuntime(engineBackend.name) ? { ort: { intraOpThreads: 1, spinning: false, executionProvider: engineBackend.name === 'webgpu' ? 'webgpu' as const : 'cpu' as const } } : {}
  const model = await ServedModel.start(modelDir, engineBackend, { ...settings, ...ort }, {}, engineOnnx)
  try {
    const { latencies, elapsed } = await driveEngine(async x => await model.classify(x), inputs, secs)
    const { requests, batches } = model.counts
    return { imagesPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), meanBatch: requests / batches }
  } finally {
    await model.close()
  }
}

const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
console.log(`bench: model ${modelName}; ${machine}; ${seconds} s per level; levels ${levels.join(', ')}`)
const shots = await benchPhotos()
const uploads = shots.map(p => multipartUpload(p.bytes, p.name))
console.log(`${shots.length} real photos, ${Math.round(shots.reduce((n, p) => n + p.bytes.length, 0) / shots.length / 1024)} KiB on average`)

const modes: ModeResult[] = []
if (externalUrl !== undefined) {
  modes.push(...await interleavedLevels([{ mode: 'service', url: externalUrl, env: {} }], uploads))
} else {
  execSync('npm run build --silent', { cwd: projectRoot, stdio: 'inherit' })
  const configs: Array<[string, Record<string, string>]> = [
    ['pooled', { INFERENCE_BACKEND: benchBackend, MODEL_DIR: modelDir, MAX_QUEUE: '256' }],
    ['naive', { INFERENCE_BACKEND: 'wasm', MODEL_DIR: naiveModelDir, INFERENCE_WORKERS: '0', MAX_BATCH_SIZE: '1', MAX_QUEUE: '100000', MAX_EVENT_LOOP_DELAY_MS: '0' }]
  ]
  const servers: Array<{ mode: string, env: Record<string, string>, server: RunningServer }> = []
  try {
    for (const [mode, env] of configs) servers.push({ mode, env, server: await startServer(env) })
    modes.push(...await interleavedLevels(servers.map(s => ({ mode: s.mode, url: s.server.url, env: s.env })), uploads))
  } finally {
    for (const s of servers) console.log(`${s.mode}: server stopped with exit code ${await s.server.stop()}`)
  }
}

console.log(`\nengine in process (no HTTP), 32 concurrent submitters, ${engineBackend.name}:`)
const spec = JSON.parse(await readFile(join(modelDir, 'manifest.json'), 'utf8')).input
const inputs = await Promise.all(shots.map(async p => (await preprocessImage(p.bytes, spec)).pixels))
const engine: Record<string, unknown> = {}
const cores = availableParallelism()
const engineRuns: Array<[string, InferenceSettings]> = [
  [`workers=${cores} batch<=4 (default)`, { workers: cores, maxBatchSize: 4, maxBatchDelayMs: 2, maxQueue: 1000 }],
  [`workers=${cores} batch 1`, { workers: cores, maxBatchSize: 1, maxBatchDelayMs: 2, maxQueue: 1000 }],
  ...[1, 2, 4, 8].map(b => [`workers=1 batch<=${b}`, { workers: 1, maxBatchSize: b, maxBatchDelayMs: 2, maxQueue: 1000 }] as [string, InferenceSettings]),
  ['main thread, batch 1 (naive)', { workers: 0, maxBatchSize: 1, maxBatchDelayMs: 0, maxQueue: 1000 }]
]
for (const [name, settings] of engineRuns) {
  const r = await inProcess(settings, inputs, Math.max(4, seconds / 2))
  engine[name] = r
  console.log(`  ${name.padEnd(32)} ${r.imagesPerSecond.toFixed(1).padStart(6)} images/s  p50 ${r.p50.toFixed(0)} ms  p99 ${r.p99.toFixed(0)} ms  mean batch ${r.meanBatch.toFixed(2)}`)
}

const pooled = modes.find(m => m.mode === 'pooled')
const naive = modes.find(m => m.mode === 'naive')
const ratios = pooled && naive
  ? pooled.levels.map((p, i) => ({ concurrency: p.concurrency, throughput: p.rps / naive.levels[i].rps, p99: p.p99 / naive.levels[i].p99 }))
  : []
if (ratios.length > 0) {
  console.log('\npooled / naive:')
  for (const r of ratios) console.log(`  c=${String(r.concurrency).padEnd(3)} throughput x${r.throughput.toFixed(2)}   p99 x${r.p99.toFixed(2)} (${(1 / r.p99).toFixed(1)} times lower)`)
}

await mkdir(outDir, { recursive: true })
const date = new Date().toISOString()
await writeFile(join(outDir, `${modelName}.json`), JSON.stringify({ date, machine, model: modelName, backend: engineBackend.name, photos: process.env.BENCH_PHOTOS ?? 'fixtures', naiveModelDir: unfused ? naiveModelDir.replace(projectRoot + '/', '') : undefined, seconds, modes, ratios, engine }, null, 2) + '\n')
const colors: Record<string, string> = { pooled: '#1f77b4', naive: '#d62728', service: '#2ca02c' }
await writeFile(join(outDir, `${modelName}.svg`), plotSvg(
  modes.map(m => ({ name: m.mode === 'pooled' ? 'pooled: worker threads + dynamic batching' : m.mode === 'naive' ? 'naive: one predict per request, main thread' : m.mode, color: colors[m.mode] ?? '#333', points: m.levels })),
  `POST /predict with real photos, model ${modelName} (pooled: ${engineBackend.name}, naive: wasm)`, `${machine}; ${date.slice(0, 10)}${naiveNote}`))
console.log(`\nwrote ${join(outDir, modelName)}.json and .svg`)
