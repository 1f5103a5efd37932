import { ErrorCodes, ServiceError, payloadTooLarge } from './errors.js'
import type { ImagePreprocessor } from './image.js'
import type { ServedClassification, ServedModel } from './served-model.js'

/** What one image gets: the model's answer and what was done to the image on the way. */
export interface ImageAnswer extends Omit<ServedClassification, 'queueMs' | 'inferMs' | 'batchSize'> {
  warnings: string[]
}

export interface ClassifiedImages {
  /** One per input, in order: the answer, or that image's own error (the others are not failed by it). */
  outcomes: Array<PromiseSettledResult<ImageAnswer>>
  /** Milliseconds, the slowest image's of each stage: what the request waited for. */
  timings: { decode?: number, queue?: number, infer?: number }
  /** The largest batch any of the images ran in. */
  batchSize: number
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

/**
 * Classifies the images of one request on one model version: each is checked against the queue before it is
 * decoded, all are decoded, then every decoded image enters the batch queue at once, so they share batches.
 * Bad images fail alone; an input that is already an error (say, text that was not base64) is that image's answer.
 */
export async function classifyImages (model: ServedModel, preprocessor: ImagePreprocessor, inputs: Array<Buffer | Error>, options: { topK?: number, deadline?: number } = {}): Promise<ClassifiedImages> {
  const timings: ClassifiedImages['timings'] = {}
  const max = (stage: keyof ClassifiedImages['timings'], ms: number) => { timings[stage] = Math.max(timings[stage] ?? 0, ms) }
  const decoded = await Promise.allSettled(inputs.map(async bytes => {
    if (!Buffer.isBuffer(bytes)) throw bytes
    if (bytes.length === 0) throw new ServiceError(ErrorCodes.NO_FILE, 400, 'An image is empty (0 bytes).')
    model.admit(options.deadline)
    const image = await preprocessor.preprocess(bytes, model.inputSpec)
    max('decode', image.timings.decode)
    return image
  }))
  let batchSize = 0
  const outcomes = await Promise.allSettled(decoded.map(async d => {
    if (d.status === 'rejected') throw d.reason
    const { queueMs, inferMs, batchSize: size, ...answer } = await model.classify(d.value.pixels, options)
    max('queue', queueMs)
    max('infer', inferMs)
    batchSize = Math.max(batchSize, size)
    return { ...answer, warnings: d.value.warnings }
  }))
  return { outcomes, timings, batchSize }
}
