import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { writeFileAtomic } from '../../common/atomic-file.js'
import { TfjsClassifier } from '../tfjs/classifier.js'
import { ModelDescription } from '../../models/description.js'
import { decodeAndResize } from '../../image/decode.js'
import type { InputSpec, Pixels } from '../../image/pixels.js'
import { nodePlacement, OnnxClassifier, PROVIDER_NAMES, placementTotals, type NodePlacement, type OnnxModelFile } from './classifier.js'
import { convertGraph, CONVERTER_VERSION } from './convert.js'
import { readGraphModel } from './graph-model.js'
import { decodeModel, encodeModel } from './proto.js'
import { COMPATIBLE_QUANTIZER_VERSIONS, quantizeModel, QUANTIZER_VERSION, type BiasCorrections, type CalibrationRanges } from './quantize.js'

export interface OnnxPrepareOptions {
  /** Where converted models are kept, by weights digest; the model directory itself may be read-only. */
  cacheDir: string
  /** Real photos (searched recursively) the conversion is checked on. */
  checkPhotosDir: string
  /** Largest accepted |TF.js - ONNX| over every output value. */
  tolerance?: number
  maxPhotos?: number
  /**
   * 'auto' (default): int8 when the model directory ships a calibration for these weights (int8.json, written by
   * `npm run model:calibrate`), fp32 otherwise; 'fp32': never int8; 'int8': int8 or refuse.
   */
  precision?: OnnxPrecision
  /**
   * Told of what the service recovers from but an operator should know: a cache entry that was damaged (converted
   * again), a cache directory that cannot be written (the conversion served from memory). Default: console.warn.
   */
  warn?: (message: string, details?: Record<string, unknown>) => void
}

export type OnnxPrecision = 'auto' | 'fp32' | 'int8'

export interface ConversionCheck {
  photos: string[]
  maxAbsDiff: number
  tolerance: number
  /** TF.js backend that computed the reference. */
  reference: string
}

/** int8.json in a model directory: activation ranges measured on real photos, and what they were measured on. */
export interface Int8Calibration {
  quantizer: number
  converter: number
  /** The weights (manifest sha256) the ranges belong to. */
  modelDigest: string
  method: 'minmax' | 'average'
  photos: { count: number, source: string }
  ranges: CalibrationRanges
  /** Added to each convolution's bias before quantising (quantizer v2; scripts/model/calibrate.ts measures them). */
  biasCorrection?: BiasCorrections
  /** fp32 against int8 on photos apart from the calibration ones, as the calibration script measured them. */
  evaluation?: Record<string, unknown>
}

export interface QuantizationCheck {
  photos: number
  /** Largest |fp32 - int8| probability over the check photos. */
  maxAbsDiff: number
  tolerance: number
  /** Check photos whose top label differs between fp32 and int8. */
  labelChanges: number
}

export interface PreparedOnnxModel extends OnnxModelFile {
  /** The graph itself, as checked: workers are handed these bytes, so a cache file changed or removed later is never read. */
  bytes: Uint8Array
  /** False when the cache directory could not be written: served from memory, converted again at the next boot. */
  cached: boolean
  /** The TF.js model's digest (manifest sha256), which names the cache entry. */
  digest: string
  /** sha256 of the ONNX file, checked when it is read back from the cache. */
  onnxSha256: string
  fromCache: boolean
  check: ConversionCheck
  opCounts: Record<string, number>
  /** Present when the int8 model is the one served (path points at it). */
  int8?: { check: QuantizationCheck, method: Int8Calibration['method'], calibrationPhotos: number, sha256: string }
  /** Why int8 was not used although precision was 'auto' and the model ships a calibration. */
  int8Skipped?: string
}

/** The conversion could not be made or disagrees with the TF.js graph: the service must not serve it. */
export class ConversionRefusedError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ConversionRefusedError'
  }
}

export const DEFAULT_TOLERANCE = 1e-4

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

async function listPhotos (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[])
  return entries.filter(f => /\.(jpe?g|png)$/i.test(f)).sort().map(f => join(dir, f))
}

/** The photos decoded and resized to a model's input, as the service does it. */
async function decodePhotos (photos: string[], spec: InputSpec): Promise<Pixels[]> {
  return await Promise.all(photos.map(async p => (await decodeAndResize(await readFile(p), spec)).pixels))
}

/** Largest |expected - actual| over every value of every row. */
function maxAbsDifference (expected: Float32Array[], actual: Float32Array[]): number {
  let max = 0
  expected.forEach((row, i) => row.forEach((v, j) => { max = Math.max(max, Math.abs(v - actual[i][j])) }))
  return max
}

/** Up to n items spread evenly over the sorted list. */
function spread<T> (items: T[], n: number): T[] {
  if (items.length <= n) return items
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * items.length / n)])
}

/** Up to n photos, the same share from each label's directory (evenly spread within it), in sorted order. */
function spreadByLabel (dir: string, photos: string[], n: number): string[] {
  const groups = new Map<string, string[]>()
  for (const p of photos) {
    const label = relative(dir, p).split(sep)[0]
    groups.set(label, [...groups.get(label) ?? [], p])
  }
  const per = Math.max(1, Math.floor(n / Math.max(1, groups.size)))
  return [...groups.values()].flatMap(g => spread(g, per)).slice(0, n).sort()
}

/** The cache entry of a model's conversion; `variant` names a form derived from it (its int8 graph). */
export function cachePaths (cacheDir: string, digest: string, variant?: string): { model: string, record: string } {
  const key = `${digest}.converter-v${CONVERTER_VERSION}${variant === undefined ? '' : `.${variant}`}`
  return { model: join(cacheDir, `${key}.onnx`), record: join(cacheDir, `${key}.json`) }
}

/**
 * The ONNX form of a TF.js graph model directory: from the cache when a checked conversion of these exact weights
 * (manifest digest) exists, otherwise converted now, run beside the TF.js graph on real photos, and cached only
 * when every output value agrees within the tolerance. Needs a TF.js backend for the reference run.
 */
export async function prepareOnnxModel (directory: string, options: OnnxPrepareOptions, reference = 'current'): Promise<PreparedOnnxModel> {
  // Read (and its weights hashed) once, for both precisions.
  const description = await ModelDescription.read(directory)
  const fp32 = await prepareFp32(description, options, reference)
  const precision = options.precision ?? 'auto'
  if (precision === 'fp32') return fp32
  let calibration: Int8Calibration | undefined
  try {
    calibration = await readCalibration(directory)
  } catch (err) {
    if (precision === 'int8') throw err
    return { ...fp32, int8Skipped: (err as Error).message }
  }
  if (calibration === undefined) {
    if (precision === 'int8') throw new ConversionRefusedError(`ONNX_PRECISION=int8: ${directory} has no int8.json (npm run model:calibrate makes one)`)
    return fp32
  }
  try {
    return await prepareInt8(description, fp32, calibration, options)
  } catch (err) {
    if (precision === 'int8' || !(err instanceof ConversionRefusedError)) throw err
    return { ...fp32, int8Skipped: err.message }
  }
}

export const INT8_TOLERANCE = 0.2
export const CALIBRATION_FILE = 'int8.json'

/** The model's int8.json; undefined when there is none. One that does not parse is refused, naming the file. */
export async function readCalibration (directory: string): Promise<Int8Calibration | undefined> {
  const file = join(directory, CALIBRATION_FILE)
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as Int8Calibration
  } catch (err) {
    throw new ConversionRefusedError(`${file} cannot be read: ${(err as Error).message} (npm run model:calibrate writes it again)`)
  }
}

const defaultWarn = (message: string): void => { console.warn(message) }

/** Errors that mean the cache directory cannot take the file (full, read-only, not ours), not a bug. */
const CACHE_WRITE_ERRORS = new Set(['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'EIO'])

/**
 * A cache record: undefined when absent; when it does not parse (damaged on disk, or written by hand), undefined
 * too, with one warning naming it, so the entry is made again.
 */
async function readRecord<T> (path: string, warn: NonNullable<OnnxPrepareOptions['warn']>): Promise<T | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as T
  } catch (err) {
    warn(`ONNX cache record ${path} is damaged (${(err as Error).message}): converting again`, { file: path })
    return undefined
  }
}

/**
 * Writes a checked graph and its record into the cache, each atomically; the record last, so a record names only a
 * graph that is whole. False (with a warning) when the directory cannot take them: the caller serves from memory.
 */
async function writeCacheEntry (paths: { model: string, record: string }, bytes: Uint8Array, record: unknown, warn: NonNullable<OnnxPrepareOptions['warn']>): Promise<boolean> {
  try {
    await mkdir(dirname(paths.model), { recursive: true })
    await writeFileAtomic(paths.model, bytes)
    await writeFileAtomic(paths.record, JSON.stringify(record, null, 2))
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === undefined || !CACHE_WRITE_ERRORS.has(code)) throw err
    warn(`ONNX cache ${dirname(paths.model)} cannot be written (${code}): serving the checked conversion from memory; it is converted again at the next boot`, { cacheDir: dirname(paths.model), code })
    return false
  }
}

/**
 * The int8 form of a checked fp32 conversion, built from the model's calibration ranges (services/engines/onnx/quantize.ts),
 * run beside the fp32 model on the check photos and cached only when no probability moves by more than
 * INT8_TOLERANCE (a wrong integer kernel, or ranges that do not fit these weights, moves them far more).
 */
async function prepareInt8 (description: ModelDescription, fp32: PreparedOnnxModel, calibration: Int8Calibration, options: OnnxPrepareOptions): Promise<PreparedOnnxModel> {
  if (calibration.modelDigest !== description.digest) throw new ConversionRefusedError(`${CALIBRATION_FILE} of ${description.name} was measured on other weights (${calibration.modelDigest.slice(0, 12)}, these are ${description.digest.slice(0, 12)}): run npm run model:calibrate again`)
  if (calibration.converter !== CONVERTER_VERSION || !COMPATIBLE_QUANTIZER_VERSIONS.includes(calibration.quantizer)) throw new ConversionRefusedError(`${CALIBRATION_FILE} of ${description.name} was made for converter v${calibration.converter} and quantizer v${calibration.quantizer} (this is v${CONVERTER_VERSION}, v${QUANTIZER_VERSION}): run npm run model:calibrate again`)
  const calibrationSha = sha256(Buffer.from(JSON.stringify(calibration.biasCorrection === undefined ? calibration.ranges : [calibration.ranges, calibration.biasCorrection])))
  const paths = cachePaths(options.cacheDir, description.digest, `int8-v${QUANTIZER_VERSION}.${calibrationSha.slice(0, 16)}`)
  type Record = NonNullable<PreparedOnnxModel['int8']>
  const warn = options.warn ?? defaultWarn
  const cached = await readRecord<Record>(paths.record, warn)
  if (cached !== undefined) {
    const bytes = await readFile(paths.model).catch(() => undefined)
    if (bytes !== undefined && sha256(bytes) === cached.sha256) return { ...fp32, path: paths.model, bytes, precision: 'int8', int8: cached }
    if (bytes !== undefined) warn(`ONNX cache file ${paths.model} does not match its record's sha256: quantising again`, { file: paths.model })
  }
  let bytes: Uint8Array
  try {
    bytes = encodeModel(quantizeModel(decodeModel(fp32.bytes), calibration.ranges, calibration.biasCorrection))
  } catch (err) {
    throw new ConversionRefusedError(`${description.name} cannot be quantised to int8: ${(err as Error).message}`)
  }
  const photos = spreadByLabel(options.checkPhotosDir, await listPhotos(options.checkPhotosDir), options.maxPhotos ?? 8)
  const check = await compareModels(description.directory, fp32, { ...fp32, path: paths.model, bytes, precision: 'int8' }, photos)
  if (!(check.maxAbsDiff <= INT8_TOLERANCE)) {
    throw new ConversionRefusedError(`the int8 model of ${description.name} disagrees with fp32: max |difference| ${check.maxAbsDiff} over ${photos.length} photos, tolerance ${INT8_TOLERANCE}`)
  }
  const record: Record = { check, method: calibration.method, calibrationPhotos: calibration.photos.count, sha256: sha256(bytes) }
  const cachedNow = await writeCacheEntry(paths, bytes, record, warn)
  return { ...fp32, path: paths.model, bytes, cached: cachedNow, precision: 'int8', int8: record }
}

async function compareModels (directory: string, reference: OnnxModelFile, candidate: OnnxModelFile, photos: string[]): Promise<QuantizationCheck> {
  const a = await OnnxClassifier.load(directory, reference, { intraOpThreads: 1, spinning: false })
  const b = await OnnxClassifier.load(directory, candidate, { intraOpThreads: 1, spinning: false })
  try {
    const inputs = await decodePhotos(photos, a.description.inputSpec)
    const expected = await a.predictBatch(inputs)
    const actual = await b.predictBatch(inputs)
    const top = (row: Float32Array): number => row.indexOf(Math.max(...row))
    const labelChanges = expected.filter((row, i) => top(row) !== top(actual[i])).length
    return { photos: photos.length, maxAbsDiff: maxAbsDifference(expected, actual), tolerance: INT8_TOLERANCE, labelChanges }
  } finally {
    await a.dispose()
    await b.dispose()
  }
}

async function prepareFp32 (description: ModelDescription, options: OnnxPrepareOptions, reference: string): Promise<PreparedOnnxModel> {
  const directory = description.directory
  const paths = cachePaths(options.cacheDir, description.digest)
  const warn = options.warn ?? defaultWarn
  type Record = Omit<PreparedOnnxModel, 'fromCache' | 'path' | 'bytes' | 'cached'>
  const cached = await readRecord<Record>(paths.record, warn)
  if (cached !== undefined && cached.digest === description.digest) {
    const bytes = await readFile(paths.model).catch(() => undefined)
    // A cache entry whose file was damaged or replaced is converted and checked again.
    if (bytes !== undefined && sha256(bytes) === cached.onnxSha256) return { ...cached, path: paths.model, bytes, cached: true, fromCache: true }
    warn(bytes === undefined ? `ONNX cache file ${paths.model} is missing: converting again` : `ONNX cache file ${paths.model} does not match its record's sha256: converting again`, { file: paths.model })
  }
  if (description.format !== 'graph-model') throw new ConversionRefusedError(`${description.name} is a layers model; the ONNX converter takes graph models`)

  let converted
  try {
    converted = convertGraph({ ...(await readGraphModel(directory)), name: description.name })
  } catch (err) {
    throw new ConversionRefusedError(`${description.name} cannot be converted to ONNX: ${(err as Error).message}`)
  }
  const photos = spreadByLabel(options.checkPhotosDir, await listPhotos(options.checkPhotosDir), options.maxPhotos ?? 8)
  if (photos.length === 0) throw new ConversionRefusedError(`no photos in ${options.checkPhotosDir} to check the ONNX conversion against the TF.js graph`)

  // Checked from memory, and written to the cache only once checked: no partial file is ever named by a record.
  const file: OnnxModelFile = { path: paths.model, bytes: converted.bytes, inputName: converted.inputName, outputName: converted.outputNames[0] }
  const check = await checkConversion(directory, file, photos, options.tolerance ?? DEFAULT_TOLERANCE, reference)
  if (check.maxAbsDiff > check.tolerance || !Number.isFinite(check.maxAbsDiff)) {
    throw new ConversionRefusedError(`the ONNX conversion of ${description.name} disagrees with the TF.js graph: max |difference| ${check.maxAbsDiff} over ${photos.length} photos, tolerance ${check.tolerance}`)
  }
  const record: Record = { inputName: file.inputName, outputName: file.outputName, digest: description.digest, onnxSha256: sha256(converted.bytes), check, opCounts: converted.opCounts }
  const cachedNow = await writeCacheEntry(paths, converted.bytes, record, warn)
  return { ...record, path: paths.model, bytes: converted.bytes, cached: cachedNow, fromCache: false }
}

/** Runs the photos, as one batch, through the TF.js graph and the ONNX model; the largest difference. */
export async function checkConversion (directory: string, file: OnnxModelFile, photos: string[], tolerance: number, reference: string): Promise<ConversionCheck> {
  const tfjs = await TfjsClassifier.load(directory)
  const onnx = await OnnxClassifier.load(directory, file, { intraOpThreads: 1, spinning: false })
  try {
    const inputs = await decodePhotos(photos, tfjs.inputSpec)
    const maxAbsDiff = maxAbsDifference(await tfjs.predictBatch(inputs), await onnx.predictBatch(inputs))
    return { photos: photos.map(p => p.slice(p.lastIndexOf('/photos/') >= 0 ? p.lastIndexOf('/photos/') + 8 : 0)), maxAbsDiff, tolerance, reference }
  } finally {
    tfjs.dispose()
    await onnx.dispose()
  }
}

export interface ProviderCheck {
  provider: 'webgpu'
  photos: string[]
  /** Largest |provider - onnxruntime on the CPU| over every output value. */
  maxAbsDiff: number
  tolerance: number
  /** Node runs by the execution provider that made them (the rest fell back to the CPU). */
  placement: NodePlacement
}

/**
 * Runs real photos, as one batch, through the checked conversion on an execution provider and on onnxruntime's
 * CPU provider: the provider serves only when it ran nodes itself (onnxruntime silently falls back to the CPU) and
 * every output value agrees within the tolerance. A GPU driver that computes wrong answers is caught here.
 */
export async function checkExecutionProvider (directory: string, file: OnnxModelFile, checkPhotosDir: string, provider: 'webgpu', options: { tolerance?: number, maxPhotos?: number } = {}): Promise<ProviderCheck> {
  const description = await ModelDescription.read(directory)
  const photos = spreadByLabel(checkPhotosDir, await listPhotos(checkPhotosDir), options.maxPhotos ?? 4)
  if (photos.length === 0) throw new ConversionRefusedError(`no photos in ${checkPhotosDir} to check the ${provider} provider against the CPU`)
  const inputs = await decodePhotos(photos, description.inputSpec)
  const cpu = await OnnxClassifier.load(directory, file, { intraOpThreads: 1, spinning: false })
  let expected: Float32Array[]
  try {
    expected = await cpu.predictBatch(inputs)
  } finally {
    await cpu.dispose()
  }
  const { outputs, placement } = await nodePlacement(directory, file, { intraOpThreads: 1, spinning: false, executionProvider: provider }, inputs)
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE
  const maxAbsDiff = maxAbsDifference(expected, outputs)
  const onProvider = placementTotals(placement)[PROVIDER_NAMES[provider]] ?? 0
  if (onProvider === 0) throw new ConversionRefusedError(`onnxruntime ran no node of ${description.name} on ${provider}: every node fell back to the CPU`)
  if (!(maxAbsDiff <= tolerance)) {
    throw new ConversionRefusedError(`${description.name} on ${provider} disagrees with onnxruntime on the CPU: max |difference| ${maxAbsDiff} over ${photos.length} photos, tolerance ${tolerance}`)
  }
  return { provider, photos: photos.map(p => relative(checkPhotosDir, p)), maxAbsDiff, tolerance, placement }
}
