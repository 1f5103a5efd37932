import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { ImageClassifier, ModelDescription } from '../classifier.js'
import { decodeAndResize } from '../image.js'
import { nodePlacement, OnnxClassifier, PROVIDER_NAMES, placementTotals, type NodePlacement, type OnnxModelFile } from './classifier.js'
import { convertGraph, CONVERTER_VERSION } from './convert.js'
import { readGraphModel } from './graph-model.js'

export interface OnnxPrepareOptions {
  /** Where converted models are kept, by weights digest; the model directory itself may be read-only. */
  cacheDir: string
  /** Real photos (searched recursively) the conversion is checked on. */
  checkPhotosDir: string
  /** Largest accepted |TF.js - ONNX| over every output value. */
  tolerance?: number
  maxPhotos?: number
}

export interface ConversionCheck {
  photos: string[]
  maxAbsDiff: number
  tolerance: number
  /** TF.js backend that computed the reference. */
  reference: string
}

export interface PreparedOnnxModel extends OnnxModelFile {
  /** The TF.js model's digest (manifest sha256), which names the cache entry. */
  digest: string
  /** sha256 of the ONNX file, checked when it is read back from the cache. */
  onnxSha256: string
  fromCache: boolean
  check: ConversionCheck
  opCounts: Record<string, number>
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

export function cachePaths (cacheDir: string, digest: string): { model: string, record: string } {
  const key = `${digest}.converter-v${CONVERTER_VERSION}`
  return { model: join(cacheDir, `${key}.onnx`), record: join(cacheDir, `${key}.json`) }
}

/**
 * The ONNX form of a TF.js graph model directory: from the cache when a checked conversion of these exact weights
 * (manifest digest) exists, otherwise converted now, run beside the TF.js graph on real photos, and cached only
 * when every output value agrees within the tolerance. Needs a TF.js backend for the reference run.
 */
export async function prepareOnnxModel (directory: string, options: OnnxPrepareOptions, reference = 'current'): Promise<PreparedOnnxModel> {
  const description = await ModelDescription.read(directory)
  const paths = cachePaths(options.cacheDir, description.digest)
  const cached = await readFile(paths.record, 'utf8').then(text => JSON.parse(text) as Omit<PreparedOnnxModel, 'fromCache' | 'path'>, () => undefined)
  if (cached !== undefined && cached.digest === description.digest) {
    const bytes = await readFile(paths.model).catch(() => undefined)
    // A cache entry whose file was damaged or replaced is converted and checked again.
    if (bytes !== undefined && sha256(bytes) === cached.onnxSha256) return { ...cached, path: paths.model, fromCache: true }
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

  await mkdir(options.cacheDir, { recursive: true })
  const pending = `${paths.model}.${process.pid}.${Date.now()}.tmp`
  await writeFile(pending, converted.bytes)
  const file: OnnxModelFile = { path: pending, inputName: converted.inputName, outputName: converted.outputNames[0] }
  try {
    const check = await checkConversion(directory, file, photos, options.tolerance ?? DEFAULT_TOLERANCE, reference)
    if (check.maxAbsDiff > check.tolerance || !Number.isFinite(check.maxAbsDiff)) {
      throw new ConversionRefusedError(`the ONNX conversion of ${description.name} disagrees with the TF.js graph: max |difference| ${check.maxAbsDiff} over ${photos.length} photos, tolerance ${check.tolerance}`)
    }
    await rename(pending, paths.model)
    const prepared: PreparedOnnxModel = { ...file, path: paths.model, digest: description.digest, onnxSha256: sha256(converted.bytes), fromCache: false, check, opCounts: converted.opCounts }
    const { path: _path, fromCache: _fromCache, ...record } = prepared
    await writeFile(paths.record, JSON.stringify(record, null, 2))
    return prepared
  } finally {
    await rm(pending, { force: true })
  }
}

/** Runs the photos, as one batch, through the TF.js graph and the ONNX model; the largest difference. */
export async function checkConversion (directory: string, file: OnnxModelFile, photos: string[], tolerance: number, reference: string): Promise<ConversionCheck> {
  const tfjs = await ImageClassifier.load(directory)
  const onnx = await OnnxClassifier.load(directory, file, { intraOpThreads: 1, spinning: false })
  try {
    const inputs = await Promise.all(photos.map(async p => (await decodeAndResize(await readFile(p), tfjs.inputSpec)).pixels))
    const expected = await tfjs.predictBatch(inputs)
    const actual = await onnx.predictBatch(inputs)
    let maxAbsDiff = 0
    expected.forEach((row, i) => row.forEach((v, j) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - actual[i][j])) }))
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
  const inputs = await Promise.all(photos.map(async p => (await decodeAndResize(await readFile(p), description.inputSpec)).pixels))
  const cpu = await OnnxClassifier.load(directory, file, { intraOpThreads: 1, spinning: false })
  let expected: Float32Array[]
  try {
    expected = await cpu.predictBatch(inputs)
  } finally {
    await cpu.dispose()
  }
  const { outputs, placement } = await nodePlacement(directory, file, { intraOpThreads: 1, spinning: false, executionProvider: provider }, inputs)
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE
  let maxAbsDiff = 0
  expected.forEach((row, i) => row.forEach((v, j) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - outputs[i][j])) }))
  const onProvider = placementTotals(placement)[PROVIDER_NAMES[provider]] ?? 0
  if (onProvider === 0) throw new ConversionRefusedError(`onnxruntime ran no node of ${description.name} on ${provider}: every node fell back to the CPU`)
  if (!(maxAbsDiff <= tolerance)) {
    throw new ConversionRefusedError(`${description.name} on ${provider} disagrees with onnxruntime on the CPU: max |difference| ${maxAbsDiff} over ${photos.length} photos, tolerance ${tolerance}`)
  }
  return { provider, photos: photos.map(p => relative(checkPhotosDir, p)), maxAbsDiff, tolerance, placement }
}
