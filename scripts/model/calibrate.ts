/**
 * Calibrates a model for the onnxruntime engine's int8 path: converts it to ONNX as the service does, runs real
 * photos through it to measure the range of every tensor the quantised graph keeps in 8 bits, and writes them to
 * <model>/int8.json, which the service then uses by default (ONNX_PRECISION=auto). It also measures what int8 costs:
 * fp32 against int8 on photos apart from the calibration ones (how many answers change, accuracy of each).
 *
 *   npm run model:calibrate -- model/food-v2 [--method minmax|average] [--dry-run]
 *
 * Photos: the photo recipe's data/food and data/not_food (npm run data), sorted by path. Every 40th is a
 * calibration photo; every 10th from the 4th on was the selection set the method was chosen on (it is not
 * reported); the rest is the evaluation set written to int8.json.
 */
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { selectBackend } from '../../services/backend.js'
import { ModelDescription } from '../../services/classifier.js'
import { decodeAndResize } from '../../services/image.js'
import { OnnxClassifier } from '../../services/onnx/classifier.js'
import { CONVERTER_VERSION } from '../../services/onnx/convert.js'
import { writeFileAtomic } from '../../services/atomic-file.js'
import { CALIBRATION_FILE, prepareOnnxModel, type Int8Calibration } from '../../services/onnx/prepare.js'
import { decodeModel, encodeModel } from '../../services/onnx/proto.js'
import { calibrationModel, quantizeModel, QUANTIZER_VERSION, RangeCollector } from '../../services/onnx/quantize.js'
import { BatchBuffer } from '../../services/pixels.js'
import { projectRoot } from '../../services/project.js'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { method: { type: 'string', default: 'minmax' }, 'dry-run': { type: 'boolean', default: false }, data: { type: 'string', default: join(projectRoot, 'data') } } })
const modelDir = resolve(positionals[0] ?? join(projectRoot, 'model/food'))
const method = values.method as 'minmax' | 'average'
const description = await ModelDescription.read(modelDir)
const spec = description.inputSpec

const list = async (dir: string): Promise<string[]> => (await readdir(dir)).filter(f => /\.(jpe?g|png)$/i.test(f)).sort().map(f => join(dir, f))
const all = [...await list(join(values.data, 'food')), ...await list(join(values.data, 'not_food'))]
if (all.length < 400) throw new Error(`${values.data}: ${all.length} photos; run npm run data first`)
const calibration = all.filter((_, i) => i % 40 === 0)
const evaluation = all.filter((_, i) => i % 40 !== 0 && i % 10 !== 3)
const labelOf = (file: string): string => file.includes('/not_food/') ? 'not_food' : 'food'
const pixels = async (file: string): Promise<Uint8Array> => (await decodeAndResize(await readFile(file), spec)).pixels

await selectBackend('wasm')
const cacheDir = await mkdtemp(join(tmpdir(), 'calibrate-'))
try {
  const fp32 = await prepareOnnxModel(modelDir, { cacheDir, checkPhotosDir: join(projectRoot, 'test/fixtures/photos'), precision: 'fp32' })
  const model = decodeModel(await readFile(fp32.path))
  const { model: withOutputs, tensors } = calibrationModel(model)
  const ort = await import('onnxruntime-node')
  const session = await ort.InferenceSession.create(encodeModel(withOutputs), { graphOptimizationLevel: 'basic', intraOpNumThreads: 2 })
  const collector = new RangeCollector(method)
  const buffer = new BatchBuffer()
  for (let i = 0; i < calibration.length; i += 8) {
    const batch = await Promise.all(calibration.slice(i, i + 8).map(pixels))
    const input = new ort.Tensor('float32', buffer.normalize(batch, spec).slice(), [batch.length, spec.height, spec.width, 3])
    const out = await session.run({ [fp32.inputName]: input }, tensors)
    for (const t of tensors) collector.add(t, out[t].data as Float32Array, batch.length)
  }
  await session.release()
  console.log(`${description.name} ${description.version}: ranges of ${tensors.length} tensors over ${calibration.length} calibration photos (${method})`)

  const int8Path = join(cacheDir, 'int8.onnx')
  await writeFile(int8Path, encodeModel(quantizeModel(model, collector.ranges)))
  const a = await OnnxClassifier.load(modelDir, fp32, { intraOpThreads: 1, spinning: false })
  const b = await OnnxClassifier.load(modelDir, { ...fp32, path: int8Path }, { intraOpThreads: 1, spinning: false })
  let changed = 0
  let maxAbsDiff = 0
  const right = { fp32: 0, int8: 0 }
  const flips = { toRight: 0, toWrong: 0 }
  for (let i = 0; i < evaluation.length; i += 16) {
    const files = evaluation.slice(i, i + 16)
    const batch = await Promise.all(files.map(pixels))
    const [pa, pb] = [await a.predictBatch(batch), await b.predictBatch(batch)]
    files.forEach((file, j) => {
      const la = a.describe(pa[j]).label
      const lb = b.describe(pb[j]).label
      pa[j].forEach((v, k) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - pb[j][k])) })
      const truth = labelOf(file)
      if (la === truth) right.fp32++
      if (lb === truth) right.int8++
      if (la !== lb) {
        changed++
        if (lb === truth) flips.toRight++
        else flips.toWrong++
      }
    })
  }
  await a.dispose()
  await b.dispose()
  const n = evaluation.length
  const round = (v: number): number => Math.round(v * 1e4) / 1e4
  const result: Int8Calibration = {
    quantizer: QUANTIZER_VERSION,
    converter: CONVERTER_VERSION,
    modelDigest: description.digest,
    method,
    photos: { count: calibration.length, source: 'the photo recipe (npm run data): every 40th of data/food and data/not_food sorted by path' },
    evaluation: {
      photos: n,
      source: 'the other photos of data/food and data/not_food, less every 10th from the 4th on (the set the calibration method was chosen on)',
      accuracyFp32: round(right.fp32 / n),
      accuracyInt8: round(right.int8 / n),
      labelChanges: changed,
      labelChangesToRight: flips.toRight,
      labelChangesToWrong: flips.toWrong,
      maxAbsDiff: round(maxAbsDiff)
    },
    ranges: Object.fromEntries(Object.entries(collector.ranges).map(([k, [lo, hi]]) => [k, [Math.fround(lo), Math.fround(hi)]]))
  }
  console.log(JSON.stringify(result.evaluation, null, 2))
  if (!values['dry-run']) {
    // Atomically: a calibration cut by a crash or a full disk would make the model's int8 form unreadable.
    await writeFileAtomic(join(modelDir, CALIBRATION_FILE), JSON.stringify(result, null, 1) + '\n')
    console.log(`wrote ${join(modelDir, CALIBRATION_FILE)}`)
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true })
}
