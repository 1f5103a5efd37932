import { TraceFlags, context, trace, type Attributes, type Link, type SpanContext, type Tracer } from '@opentelemetry/api'
import { ErrorCodes, ServiceError, payloadTooLarge } from '../common/errors.js'
import type { ImagePreprocessor } from '../image/decode.js'
import type { ObservedAnswer, Stage, StageTimings } from '../observability/metrics.js'
import type { ModelRegistry } from '../models/registry.js'
import { ResponseCache } from './response-cache.js'
import { epochMs, inSpan, recordSpan } from '../observability/tracing.js'
import type { BatchRun } from '../engines/batch-queue.js'
import type { ServedClassification, ServedModel } from '../models/served-model.js'

/** What one image gets: the model's answer and what was done to the image on the way. */
export interface ImageAnswer extends Omit<ServedClassification, 'queueMs' | 'inferMs' | 'batchSize' | 'batch'> {
  warnings: string[]
}

export interface ClassifiedImages {
  /** One per input, in order: the answer, or that image's own error (the others are not failed by it). */
  outcomes: Array<PromiseSettledResult<ImageAnswer>>
  /** Milliseconds, the slowest image's of each stage: what the request waited for. */
  timings: StageTimings
  /** The largest batch any of the images ran in. */
  batchSize: number
  /** One per input, in order: what decoding found and whether the cache answered. */
  details: ImageDetails[]
}

export interface ImageDetails {
  /** The upload's format and upright size, once decoded (or from the cache). */
  input?: { format: string, width: number, height: number }
  /** hit: answered from the response cache; miss: looked up and not found; undefined: no cache. */
  cache?: 'hit' | 'miss'
}

export interface RequestLimits {
  maxImages: number
  maxBytes: number
}

/** The largest JSON body: MAX_REQUEST_BYTES of images as base64 (4/3 of the bytes), and room for the rest. */
export const jsonBodyLimit = (maxRequestBytes: number): number => Math.ceil(maxRequestBytes * 4 / 3) + 64 * 1024

/** Refuses a request whose images are too many (400) or too large together (413), before any work is spent on it. */
export function checkRequestLimits (inputs: Array<Buffer | Error>, limits: RequestLimits): void {
  if (inputs.length > limits.maxImages) {
    throw new ServiceError(ErrorCodes.TOO_MANY_IMAGES, 400, `${inputs.length} images in one request; the limit is ${limits.maxImages} (MAX_IMAGES_PER_REQUEST).`)
  }
  const total = inputs.reduce((n, b) => n + (Buffer.isBuffer(b) ? b.length : 0), 0)
  if (total > limits.maxBytes) {
    throw new ServiceError(ErrorCodes.PAYLOAD_TOO_LARGE, 413, `The images of this request add up to ${total} bytes; the limit is ${limits.maxBytes} bytes (MAX_REQUEST_BYTES).`)
  }
}

/** Decodes base64 (standard or URL-safe, padding optional) strictly: anything else is a 400 naming `where`. */
export function decodeBase64 (text: string, where: string, maxBytes?: number): Buffer {
  // A data URL (data:image/jpeg;base64,...) as a browser's FileReader gives it is taken as its base64 part.
  const compact = text.replace(/^data:[\w.+/-]*(;[\w=.+-]+)*;base64,/, '').replace(/\s+/g, '')
  if (compact.length === 0) throw new ServiceError(ErrorCodes.NO_FILE, 400, `${where} is empty: send the image's bytes, base64-encoded.`)
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new ServiceError(ErrorCodes.BAD_REQUEST, 400, `${where} is not base64: send the image's bytes, base64-encoded.`)
  }
  if (maxBytes !== undefined && Math.floor(compact.length * 3 / 4) > maxBytes) throw payloadTooLarge(maxBytes)
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64')
}

export interface ClassifyOptions {
  topK?: number
  deadline?: number
  /** Answers of earlier requests: a repeat of the same bytes to the same version skips decode and inference. */
  cache?: ResponseCache
  /** With tracing on: spans for decode, queue, batch and inference, under the active context, with these attributes. */
  trace?: StageTracing
}

interface StageTracing { tracer: Tracer, attributes: Attributes }

/**
 * Classifies the images of one request on one model version: each is looked up in the response cache (when there
 * is one), checked against the queue before it is decoded, all are decoded, then every decoded image enters the
 * batch queue at once, so they share batches. Bad images fail alone; an input that is already an error (say, text
 * that was not base64) is that image's answer.
 */
export async function classifyImages (model: ServedModel, preprocessor: ImagePreprocessor, inputs: Array<Buffer | Error>, options: ClassifyOptions = {}): Promise<ClassifiedImages> {
  const timings: StageTimings = {}
  const max = (stage: Stage, ms: number) => { timings[stage] = Math.max(timings[stage] ?? 0, ms) }
  const { cache } = options
  const scope = cache !== undefined ? ResponseCache.scopeOf(model) : ''
  const details: ImageDetails[] = inputs.map(() => ({ cache: cache === undefined ? undefined : 'miss' }))
  const decoded = await Promise.allSettled(inputs.map(async (bytes, i) => {
    if (!Buffer.isBuffer(bytes)) throw bytes
    if (bytes.length === 0) throw new ServiceError(ErrorCodes.NO_FILE, 400, 'An image is empty (0 bytes).')
    const key = cache !== undefined ? ResponseCache.keyOf(scope, bytes) : ''
    const hit = cache?.get(key)
    if (hit !== undefined) {
      details[i] = { cache: 'hit', input: hit.input }
      return { hit, image: undefined, key }
    }
    model.admit(options.deadline)
    const decodeStarted = performance.now()
    const image = await preprocessor.preprocess(bytes, model.inputSpec)
    max('decode', image.timings.decode)
    if (options.trace !== undefined) {
      recordSpan(options.trace.tracer, 'decode', epochMs(decodeStarted), epochMs(performance.now()), {
        ...options.trace.attributes, 'image.format': image.info.format, 'image.width': image.info.width, 'image.height': image.info.height, 'image.bytes': bytes.length
      })
    }
    details[i].input = { format: image.info.format, width: image.info.width, height: image.info.height }
    return { hit: undefined, image, key }
  }))
  let batchSize = 0
  const outcomes = await Promise.allSettled(decoded.map(async (d, i) => {
    if (d.status === 'rejected') throw d.reason
    const { hit, image, key } = d.value
    if (hit !== undefined) {
      return { ...model.description.describe(hit.probabilities, options.topK), probabilities: hit.probabilities, warnings: hit.warnings }
    }
    if (image === undefined) throw new Error('unreachable: an image neither cached nor decoded')
    const submitted = performance.now()
    const link = options.trace !== undefined ? trace.getSpanContext(context.active()) : undefined
    const { queueMs, inferMs, batchSize: size, batch, ...answer } = await model.classify(image.pixels, { topK: options.topK, deadline: options.deadline, link })
    if (options.trace !== undefined) recordBatchSpans(options.trace, submitted, batch, link)
    max('queue', queueMs)
    max('infer', inferMs)
    batchSize = Math.max(batchSize, size)
    cache?.set(key, scope, { probabilities: answer.probabilities, warnings: image.warnings, input: details[i].input! })
    return { ...answer, warnings: image.warnings }
  }))
  return { outcomes, timings, batchSize, details }
}

/**
 * The spans of one image's way through the batch queue, recorded once it is answered, from the times the queue and
 * the runner measured: `queue` (submitted until its batch left), `batch` (the main thread's view of the batch: handed
 * to the runner until its outputs were back, worker hand-over included) and, under it, `inference` (what the runner
 * measured of its own work, on the worker thread that did it). A batch serves several requests: as Triton does with
 * its compute span, each request gets its own batch span under its own trace, so every trace shows where its time
 * went; the batch-mates' requests are span links (OTel's way for an operation shared by several traces).
 */
function recordBatchSpans ({ tracer, attributes }: StageTracing, submittedAt: number, batch: BatchRun, own: SpanContext | undefined): void {
  recordSpan(tracer, 'queue', epochMs(submittedAt), epochMs(batch.startedAt), attributes)
  const thread: Attributes = batch.ran === undefined ? {} : { 'thread.name': batch.ran.thread.name, ...(batch.ran.thread.id !== undefined ? { 'thread.id': batch.ran.thread.id } : {}) }
  const sized = { ...attributes, 'inference.batch_size': batch.size, ...thread }
  const parent = recordSpan(tracer, 'batch', epochMs(batch.startedAt), epochMs(batch.endedAt), sized, { links: batchMates(batch.links, own) })
  if (batch.ran !== undefined) recordSpan(tracer, 'inference', batch.ran.startMs, batch.ran.endMs, sized, { parent })
}

/** The sampled requests that shared a batch, each once, without the request itself (several of its images may). */
function batchMates (links: unknown[], own: SpanContext | undefined): Link[] {
  const seen = new Set(own === undefined ? [] : [own.spanId])
  const mates: Link[] = []
  for (const l of links as Array<SpanContext | undefined>) {
    if (l === undefined || seen.has(l.spanId) || (l.traceFlags & TraceFlags.SAMPLED) === 0) continue
    seen.add(l.spanId)
    mates.push({ context: l })
  }
  return mates
}

export interface InferenceRequest {
  /** The model's name; the default model when not given. */
  model?: string
  /** Its repository version; the latest serving one when not given. */
  version?: string
  /** The encoded images; an Error in place of one is that image's answer. */
  inputs: Array<Buffer | Error>
  topK?: number
  /** performance.now() by which the answer is due. */
  deadline: number
}

export interface InferenceOptions {
  models: ModelRegistry
  images: ImagePreprocessor
  limits: RequestLimits
  cache?: ResponseCache
  /** Told of every request's answers, once classified (metrics). */
  onClassified?: (model: ServedModel, classified: ClassifiedImages) => void
  /** With tracing on: the tracer, and the backend's name for the spans' attributes. */
  tracer?: Tracer
  backend?: string
}

/**
 * What every protocol calls, over HTTP or gRPC: checks the request's limits, holds a serving version of the model
 * for as long as its images take, classifies them, and reports the answers.
 */
export class Inference {
  constructor (private readonly options: InferenceOptions) {}

  get cache (): ResponseCache | undefined { return this.options.cache }

  run (call: InferenceRequest, onModel?: (model: ServedModel) => void): Promise<ClassifiedImages & { model: ServedModel }> {
    checkRequestLimits(call.inputs, this.options.limits)
    const { models, images, cache, onClassified, tracer } = this.options
    return models.use(call.model ?? models.defaultName, call.version, async model => {
      onModel?.(model)
      const trace = tracer === undefined ? undefined : { tracer, attributes: this.spanAttributes(model) }
      const classified = await inSpan(tracer, 'classify', { ...trace?.attributes, 'request.images': call.inputs.length }, () =>
        classifyImages(model, images, call.inputs, { topK: call.topK, deadline: call.deadline, cache, trace }))
      onClassified?.(model, classified)
      return { ...classified, model }
    })
  }

  private spanAttributes (model: ServedModel): Attributes {
    return {
      'model.name': model.name,
      'model.version': model.version,
      'model.repository_version': model.repositoryVersion,
      'inference.backend': this.options.backend ?? '',
      'inference.precision': model.settings.precision ?? 'fp32'
    }
  }
}

/**
 * The probability rows of a request that is answered whole (KServe V2, TF Serving, gRPC): those protocols have no
 * per-image error, so the first image that failed fails the request.
 */
export function probabilityRows (outcomes: ClassifiedImages['outcomes']): Float32Array[] {
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return outcomes.map(o => (o as PromiseFulfilledResult<ImageAnswer>).value.probabilities)
}

/** The answers of a request as the quality metrics take them (services/observability/metrics.ts). */
export function observedAnswers (classified: ClassifiedImages): ObservedAnswer[] {
  return classified.outcomes.flatMap((o, i) => o.status === 'fulfilled'
    ? [{ label: o.value.label, probability: o.value.probability, uncertain: o.value.uncertain, warnings: o.value.warnings, input: classified.details[i]?.input }]
    : [])
}

/** The Server-Timing `cache` mark of a request: hit, miss, or partial when some images hit; undefined without a cache. */
export function cacheMark (classified: Pick<ClassifiedImages, 'details'>): 'hit' | 'miss' | 'partial' | undefined {
  const marks = classified.details.map(d => d.cache).filter(m => m !== undefined)
  if (marks.length === 0) return undefined
  return marks.every(m => m === 'hit') ? 'hit' : marks.every(m => m === 'miss') ? 'miss' : 'partial'
}
