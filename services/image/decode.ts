import sharp from 'sharp'
import { ServiceError, ErrorCodes } from '../common/errors.js'
import type { InputSpec, Pixels } from './pixels.js'
import { DEFAULT_LIMITS, probeImage, undecodable, type ImageInfo, type ImageLimits, type ProbedImage } from './probe.js'

/**
 * Image decoding and preprocessing, shared by the service and the training pipeline so that what the model
 * sees when serving is exactly what it saw when trained: probe.ts reads and checks the header once, then the
 * upload is decoded, oriented, flattened and resized to the model's input in one libvips pipeline.
 */

function decodeTimeout (limits: ImageLimits, cause?: unknown): ServiceError {
  return new ServiceError(ErrorCodes.DECODE_TIMEOUT, 422, `Decoding the image took longer than ${limits.decodeTimeoutMs} ms (DECODE_TIMEOUT_MS) and was stopped.`, { cause })
}

export interface PreprocessedImage {
  /** 8-bit sRGB pixels at the model's input size, height x width x 3, row-major (HWC): one item of a batch. */
  pixels: Pixels
  info: ImageInfo
  /** What was done to the image on the way, for the client to know (rotated, alpha flattened, ...). */
  warnings: string[]
  /** Milliseconds: decode = header check + decode and resize (one sharp pipeline). */
  timings: { decode: number }
}

async function decodePipeline ({ info, bytes }: ProbedImage, spec: InputSpec, limits: ImageLimits): Promise<Buffer> {
  try {
    // failOn 'error': a JPEG cut short (libjpeg's "premature end") or a PNG whose zlib stream or CRC is broken is
    // refused rather than classified with a grey band; libjpeg warnings that it recovers from do not refuse.
    // libvips checks its timeout once per whole second of work, and formats decoded in one block (AVIF) only
    // between blocks: the deadline in decodeAndResize answers in time, this one stops the work itself.
    const result = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1, page: 0 })
      .autoOrient()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .resize(spec.width, spec.height, { fit: spec.resizeMode, position: 'centre', background: { r: 255, g: 255, b: 255 } })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .timeout({ seconds: Math.max(1, Math.ceil(limits.decodeTimeoutMs / 1000)) })
      .toBuffer({ resolveWithObject: true })
    if (result.info.channels !== 3 || result.data.length !== spec.width * spec.height * 3) {
      throw new Error(`unexpected decoded shape ${result.info.width}x${result.info.height}x${result.info.channels}`)
    }
    return result.data
  } catch (err) {
    if (err instanceof Error && /timeout|killed for image/i.test(err.message)) throw decodeTimeout(limits, err)
    throw undecodable(info.format, err)
  }
}

/** Decodes to 8-bit sRGB HWC pixels at the model's input size, as the manifest says. */
export async function decodeAndResize (buf: Uint8Array, spec: InputSpec, limits: ImageLimits = DEFAULT_LIMITS): Promise<{ pixels: Buffer, info: ImageInfo, warnings: string[] }> {
  const work = (async () => {
    const probed = await probeImage(buf, limits)
    const pixels = await decodePipeline(probed, spec, limits)
    return { pixels, info: probed.info, warnings: describeConversions(probed.info, spec) }
  })()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(decodeTimeout(limits)), limits.decodeTimeoutMs)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
    // When the deadline wins, the decode runs on until libvips stops it; its outcome is no longer anyone's.
    work.catch(() => {})
  }
}

/** Decodes an upload into the model's input pixels (normalised later, by the model's runner). */
export async function preprocessImage (buf: Uint8Array, spec: InputSpec, limits: ImageLimits = DEFAULT_LIMITS): Promise<PreprocessedImage> {
  const started = performance.now()
  const { pixels, info, warnings } = await decodeAndResize(buf, spec, limits)
  return { pixels, info, warnings, timings: { decode: performance.now() - started } }
}

const percent = (fraction: number): string => `${Number((fraction * 100).toPrecision(2))}%`

/**
 * The warnings a client sees, each starting with a stable keyword: rotated, alpha, animated, multi-page,
 * converted (CMYK, greyscale, 16-bit), upscaled, cropped.
 */
function describeConversions (info: ImageInfo, spec: InputSpec): string[] {
  const warnings: string[] = []
  if (info.orientation > 1) warnings.push(`rotated: EXIF orientation ${info.orientation} applied`)
  if (info.hasAlpha) warnings.push('alpha flattened onto white')
  if (info.stillFallback) warnings.push(`animated: the still default image used, not the ${info.pages} animation frames`)
  else if (info.animated && info.pages === 0) warnings.push('animated: first frame used')
  else if (info.animated && info.pages > 1) warnings.push(`animated: first of ${info.pages} frames used`)
  else if (info.pages > 1) warnings.push(`multi-page: first of ${info.pages} pages used`)
  if (info.space === 'cmyk') warnings.push('converted from CMYK')
  else if (info.space === 'b-w' || info.space === 'grey16' || info.channels <= 2) warnings.push('converted from greyscale')
  if (info.depth !== 'uchar' && info.depth !== 'char') warnings.push(`converted from ${info.depth === 'ushort' ? '16-bit' : info.depth} samples`)
  if (info.width < spec.width || info.height < spec.height) warnings.push(`upscaled from ${info.width}x${info.height}`)
  if (spec.resizeMode === 'cover') {
    const aspect = (info.width / info.height) / (spec.width / spec.height)
    if (aspect > 2) warnings.push(`cropped: only the centre ${percent(1 / aspect)} of the width used`)
    if (aspect < 0.5) warnings.push(`cropped: only the centre ${percent(aspect)} of the height used`)
  }
  return warnings
}

export interface ImagePreprocessor {
  readonly limits: ImageLimits
  preprocess: (buf: Uint8Array, spec: InputSpec) => Promise<PreprocessedImage>
}

/**
 * The service's decoder. Each upload is decoded once, so libvips's operation cache (by default up to 50 MB of
 * recent results) would only hold memory: it is turned off for the process.
 */
export function createImagePreprocessor (limits: ImageLimits): ImagePreprocessor {
  sharp.cache(false)
  return {
    limits,
    preprocess: (buf, spec) => preprocessImage(buf, spec, limits)
  }
}
