/**
 * Calibrates a model for the onnxruntime engine's int8 path: converts it to ONNX as the service does, runs real
 * photos through it to measure the range of every tensor the quantised graph keeps in 8 bits and the bias
 * correction of every convolution, and writes them to <model>/int8.json, which the service then uses by default
 * (ONNX_PRECISION=auto). It also measures what int8 costs: fp32 against int8 on photos apart from the calibration
 * ones (how many answers change, accuracy of each), on the photos of sources the model was not trained on (those
 * the data's manifest.csv names and the model's manifest does not list under training.data.sources), and on the
 * committed photos (test/fixtures/photos).
 *
 *   npm run model:calibrate -- model/food [--method minmax|average] [--bias-correction-rounds 2] [--data DIR] [--dry-run]
 *
 * Photos: the photo recipe's data/food and data/not_food (npm run data; DATA_DIR or --data), sorted by path. Every
 * 40th is a calibration photo; every 10th from the 4th on was the selection set the method was chosen on (it is
 * not reported); the rest is the evaluation set written to int8.json.
 */
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import { selectBackend } from '../../services/engines/backend.js'
import { ModelDescription } from '../../services/models/description.js'
import { decodeAndResize } from '../../services/image/decode.js'
import { OnnxClassifier } from '../../services/engines/onnx/classifier.js'
import { CONVERTER_VERSION } from '../../services/engines/onnx/convert.js'
import { writeFileAtomic } from '../../services/common/atomic-file.js'
import { CALIBRATION_FILE, prepareOnnxModel, type Int8Calibration } from '../../services/engines/onnx/prepare.js'
import { decodeModel, encodeModel } from '../../services/engines/onnx/proto.js'
import { quantizeModel, QUANTIZER_VERSION } from '../../services/engines/onnx/quantize.js'
import { BatchBuffer } from '../../services/image/pixels.js'
import { projectRoot } from '../../services/common/project.js'
import { parseCsvLine } from '../train/dataset.js'
import { comparePrecisions, measureBiasCorrections, measureRanges, type InputBatch, type PrecisionRow } from './int8-calibration.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    method: { type: 'string', default: 'minmax' },
    'bias-correction-rounds': { type: 'string', default: '2' },
    'dry-run': { type: 'boolean', default: false },
    data: { type: 'string', default: process.env.DATA_DIR ?? join(projectRoot, 'data') }
  }
})
const started = Date.now()
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`
const modelDir = resolve(positionals[0] ?? join(projectRoot, 'model/food'))
const method = values.method as 'minmax' | 'average'
const rounds = Number(values['bias-correction-rounds'])
if (!(Number.isInteger(rounds) && rounds >= 0)) throw new Error('--bias-correction-rounds: a whole number, 0 for none')
const description = await ModelDescription.read(modelDir)
const spec = description.inputSpec

const list = async (dir: string): Promise<string[]> => (await readdir(dir)).filter(f => /\.(jpe?g|png)$/i.test(f)).sort().map(f => join(dir, f))
const all = [...await list(join(values.data, 'food')), ...await list(join(values.data, 'not_food'))]
if (all.length < 400) throw new Error(`${values.data}: ${all.length} photos; run npm run data first`)
const calibration = all.filter((_, i) => i % 40 === 0)
const evaluation = all.filter((_, i) => i % 40 !== 0 && i % 10 !== 3)
const labelOf = (file: string): string => file.includes(`${sep}not_food${sep}`) ? 'not_food' : 'food'
const pixels = async (file: string): Promise<Uint8Array> => (await decodeAndResize(await readFile(file), spec)).pixels

/** Photos of sources the model was not trained on: data/manifest.csv's source_package against the model manifest's list. */
async function untouchedPhotos (): Promise<Set<string> | undefined> {
  const trained = (description.manifest as { training?: { data?: { sources?: Array<{ source: string }> } } }).training?.data?.sources?.map(s => s.source)
  const csv = await readFile(join(values.data, 'manifest.csv'), 'utf8').catch(() => undefined)
  if (trained === undefined || csv === undefined) return undefined
  const [header, ...rows] = csv.trim().split(/\r?\n/).map(parseCsvLine)
  const [cls, file, source] = ['class', 'file', 'source_package'].map(k => header.indexOf(k))
  if (cls < 0 || file < 0 || source < 0) return undefined
  return new Set(rows.filter(r => !trained.includes(r[source])).map(r => join(values.data, r[cls], r[file])))
}

await selectBackend('wasm')
const cacheDir = await mkdtemp(join(tmpdir(), 'calibrate-'))
try {
  const fp32 = await prepareOnnxModel(modelDir, { cacheDir, checkPhotosDir: join(projectRoot, 'test/fixtures/photos'), precision: 'fp32' })
  const model = decodeModel(await readFile(fp32.path))
  const ort = await import('onnxruntime-node')
  const buffer = new BatchBuffer()
  const batches: InputBatch[] = []
  for (let i = 0; i < calibration.length; i += 8) {
    const batch = await Promise.all(calibration.slice(i, i + 8).map(pixels))
    batches.push({ data: buffer.normalize(batch, spec).slice(), dims: [batch.length, spec.height, spec.width, 3] })
  }
  const ranges = await measureRanges(ort, model, fp32.inputName, batches, method)
  console.log(`${description.name} ${description.version}: ranges of ${Object.keys(ranges).length} tensors over ${calibration.length} calibration photos (${method}), ${elapsed()}`)
  const biasCorrection = rounds === 0 ? undefined : await measureBiasCorrections(ort, model, fp32.inputName, ranges, batches, rounds, line => console.log(`${line}, ${elapsed()}`))
  batches.length = 0

  const int8Path = join(cacheDir, 'int8.onnx')
  await writeFile(int8Path, encodeModel(quantizeModel(model, ranges, biasCorrection)))
  const settings = { intraOpThreads: 2, spinning: false }
  const a = await OnnxClassifier.load(modelDir, fp32, settings)
  const b = await OnnxClassifier.load(modelDir, { ...fp32, path: int8Path, precision: 'int8' }, settings)
  const foodIndex = description.labels.indexOf('food')
  const compare = async (files: string[], truth: (file: string) => string): Promise<PrecisionRow[]> => {
    const rows: PrecisionRow[] = []
    for (let i = 0; i < files.length; i += 16) {
      const batch = files.slice(i, i + 16)
      const inputs = await Promise.all(batch.map(pixels))
      const [pa, pb] = [await a.predictBatch(inputs), await b.predictBatch(inputs)]
      rows.push(...batch.map((file, j) => ({ file, truth: truth(file), fp32: pa[j], int8: pb[j] })))
    }
    return rows
  }
  const summary = (rows: PrecisionRow[]): ReturnType<typeof comparePrecisions> => comparePrecisions(rows, output => a.describe(output), foodIndex)
  const rows = await compare(evaluation, labelOf)
  console.log(`fp32 against int8 on ${rows.length} photos, ${elapsed()}`)
  const untouched = await untouchedPhotos()
  const committedDir = join(projectRoot, 'test/fixtures/photos')
  const committedFiles = (await readdir(committedDir, { recursive: true })).filter(f => /\.(jpe?g|png)$/i.test(f)).sort().map(f => join(committedDir, f))
  const committed = await compare(committedFiles, file => relative(committedDir, file).split(sep)[0])
  await a.dispose()
  await b.dispose()
  const result: Int8Calibration = {
    quantizer: QUANTIZER_VERSION,
    converter: CONVERTER_VERSION,
    modelDigest: description.digest,
    method,
    photos: { count: calibration.length, source: 'the photo recipe (npm run data): every 40th of data/food and data/not_food sorted by path' },
    evaluation: {
      ...summary(rows),
      source: 'the other photos of data/food and data/not_food, less every 10th from the 4th on (the set the calibration method was chosen on)',
      biasCorrectionRounds: rounds,
      ...(untouched === undefined ? {} : { untrainedSources: { ...summary(rows.filter(r => untouched.has(r.file))), source: 'those of them from sources the model manifest does not list under training.data.sources' } }),
      committedPhotos: {
        ...summary(committed),
        labelChanges: committed.filter(r => a.describe(r.fp32).label !== b.describe(r.int8).label)
          .map(r => `${relative(committedDir, r.file)}: food ${r.fp32[foodIndex].toFixed(3)} -> ${r.int8[foodIndex].toFixed(3)}`)
      }
    },
    ranges: Object.fromEntries(Object.entries(ranges).map(([k, [lo, hi]]) => [k, [Math.fround(lo), Math.fround(hi)]])),
    ...(biasCorrection === undefined ? {} : { biasCorrection })
  }
  console.log(JSON.stringify(result.evaluation, null, 2))
  console.log(`${basename(modelDir)}: ${elapsed()} in all`)
  if (!values['dry-run']) {
    // Atomically: a calibration cut by a crash or a full disk would make the model's int8 form unreadable.
    await writeFileAtomic(join(modelDir, CALIBRATION_FILE), JSON.stringify(result, null, 1) + '\n')
    console.log(`wrote ${join(modelDir, CALIBRATION_FILE)}`)
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true })
}
