/**
 * The engine alone, in process, under several inference settings measured in turns: every option is loaded once,
 * then each round measures them all, in an order that alternates from round to round, so a host whose speed drifts
 * moves every option alike. 32 concurrent submitters of preprocessed real photos, no HTTP.
 *
 *   npx tsx scripts/bench/engine-options.ts            # ENGINE_SECONDS=4 per turn, ENGINE_ROUNDS=3, MODEL_DIR
 *
 * Options (ENGINE_OPTIONS, comma-separated names of the table below; default all of them). The -int8 rows run the
 * quantised graph and are left out for a model without a calibration (int8.json).
 */
import { availableParallelism, cpus } from 'node:os'
import { join } from 'node:path'
import { selectBackend, type BackendChoice } from '../../services/engines/backend.js'
import { ModelDescription } from '../../services/models/description.js'
import { preprocessImage } from '../../services/image/decode.js'
import { prepareOnnxModel, readCalibration } from '../../services/engines/onnx/prepare.js'
import type { Pixels } from '../../services/image/pixels.js'
import { projectRoot } from '../../services/common/project.js'
import { ServedModel, type InferenceSettings } from '../../services/models/served-model.js'
import { loadConfig } from '../../services/common/config.js'
import { benchPhotos, driveEngine, percentile } from './load.js'

const modelDir = process.env.MODEL_DIR ?? join(projectRoot, 'model/food')
const seconds = Number(process.env.ENGINE_SECONDS ?? 4)
const rounds = Number(process.env.ENGINE_ROUNDS ?? 3)

interface Option { name: string, backend: 'onnxruntime' | 'wasm', settings: InferenceSettings, int8?: true }
const base = { maxBatchDelayMs: 2, maxQueue: 256 }
const OPTIONS: Option[] = [
  { name: 'ort-2w-1t-b1', backend: 'onnxruntime', settings: { ...base, workers: 2, maxBatchSize: 1, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'ort-2w-1t-b4', backend: 'onnxruntime', settings: { ...base, workers: 2, maxBatchSize: 4, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'ort-2w-1t-b8', backend: 'onnxruntime', settings: { ...base, workers: 2, maxBatchSize: 8, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'ort-1w-2t-b4-nospin', backend: 'onnxruntime', settings: { ...base, workers: 1, maxBatchSize: 4, ort: { intraOpThreads: 2, spinning: false } } },
  { name: 'ort-1w-2t-b4-spin', backend: 'onnxruntime', settings: { ...base, workers: 1, maxBatchSize: 4, ort: { intraOpThreads: 2, spinning: true } } },
  { name: 'ort-1w-1t-b4', backend: 'onnxruntime', settings: { ...base, workers: 1, maxBatchSize: 4, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'ort-2w-1t-b1-int8', backend: 'onnxruntime', int8: true, settings: { ...base, workers: 2, maxBatchSize: 1, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'ort-2w-1t-b4-int8', backend: 'onnxruntime', int8: true, settings: { ...base, workers: 2, maxBatchSize: 4, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'ort-2w-1t-b8-int8', backend: 'onnxruntime', int8: true, settings: { ...base, workers: 2, maxBatchSize: 8, ort: { intraOpThreads: 1, spinning: false } } },
  { name: 'wasm-2w-b4', backend: 'wasm', settings: { ...base, workers: 2, maxBatchSize: 4 } }
]
const wanted = process.env.ENGINE_OPTIONS?.split(',')
// int8 rows need the model's calibration (int8.json); the other onnxruntime rows run the fp32 graph.
const calibrated = await readCalibration(modelDir) !== undefined
const options = (wanted === undefined ? OPTIONS : OPTIONS.filter(o => wanted.includes(o.name))).filter(o => o.int8 !== true || calibrated)

interface Measurement { imagesPerSecond: number, p50: number, p99: number, meanBatch: number, cpuMsPerImage: number }

/** cpuMsPerImage: process CPU time (every thread) per image, which another load on the host disturbs less than images/s. */
async function measure (model: ServedModel, inputs: Pixels[]): Promise<Measurement> {
  const before = model.counts
  const cpuBefore = process.cpuUsage()
  const { latencies, elapsed } = await driveEngine(async x => await model.classify(x), inputs, seconds)
  const cpu = process.cpuUsage(cpuBefore)
  const after = model.counts
  return {
    imagesPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    meanBatch: (after.requests - before.requests) / Math.max(1, after.batches - before.batches),
    cpuMsPerImage: (cpu.user + cpu.system) / 1000 / latencies.length
  }
}

const config = loadConfig({})
const description = await ModelDescription.read(modelDir)
const inputs = await Promise.all((await benchPhotos()).map(async p => (await preprocessImage(p.bytes, description.inputSpec)).pixels))
const choices: Record<string, BackendChoice> = {}
const onnxOptions = { cacheDir: config.ONNX_CACHE_DIR, checkPhotosDir: config.ONNX_CHECK_PHOTOS }
if (options.some(o => o.backend === 'onnxruntime')) choices.onnxruntime = await selectBackend('onnxruntime')
const fp32 = options.some(o => o.backend === 'onnxruntime' && o.int8 !== true) ? await prepareOnnxModel(modelDir, { ...onnxOptions, precision: 'fp32' }) : undefined
const int8 = options.some(o => o.int8 === true) ? await prepareOnnxModel(modelDir, { ...onnxOptions, precision: 'int8' }) : undefined
if (options.some(o => o.backend === 'wasm')) choices.wasm = await selectBackend('wasm')
console.log(`engine options: ${description.name} ${description.version}; ${availableParallelism()} cores (${cpus()[0]?.model.trim()}); ${seconds} s per turn, ${rounds} rounds, ${inputs.length} photos`)

const models = new Map<string, ServedModel>()
for (const o of options) models.set(o.name, await ServedModel.start(modelDir, choices[o.backend], o.settings, {}, o.int8 === true ? int8 : fp32))
const results = new Map<string, Measurement[]>(options.map(o => [o.name, []]))
try {
  for (const o of options) await measure(models.get(o.name) as ServedModel, inputs.slice(0, 4)) // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? options : [...options].reverse()
    for (const o of order) {
      const m = await measure(models.get(o.name) as ServedModel, inputs)
      results.get(o.name)?.push(m)
      console.log(`round ${r + 1} ${o.name.padEnd(20)} ${m.imagesPerSecond.toFixed(1).padStart(6)} images/s  p50 ${m.p50.toFixed(0).padStart(4)} ms  p99 ${m.p99.toFixed(0).padStart(4)} ms  mean batch ${m.meanBatch.toFixed(2)}  CPU ${m.cpuMsPerImage.toFixed(1)} ms/image`)
    }
  }
} finally {
  for (const m of models.values()) await m.close()
}
console.log('\nmedian over rounds:')
for (const o of options) {
  const rs = results.get(o.name) ?? []
  const med = (f: (x: typeof rs[number]) => number): number => { const v = rs.map(f).sort((a, b) => a - b); return v[Math.floor(v.length / 2)] }
  console.log(`${o.name.padEnd(20)} ${med(x => x.imagesPerSecond).toFixed(1).padStart(6)} images/s  p99 ${med(x => x.p99).toFixed(0).padStart(4)} ms  CPU ${med(x => x.cpuMsPerImage).toFixed(1)} ms/image  (${rs.map(x => x.imagesPerSecond.toFixed(1)).join(', ')})`)
}
