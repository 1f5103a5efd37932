import sharp, { type Metadata } from 'sharp'
import { ServiceError, ErrorCodes } from './errors.js'

/**
 * Image decoding and preprocessing, shared by the service and the training pipeline so that what the model
 * sees when serving is exactly what it saw when trained.
 */

export type ResizeMode = 'cover' | 'contain' | 'fill'

export interface InputSpec {
  width: number
  height: number
  channels: 3
  resizeMode: ResizeMode
  /** Per-channel mean and standard deviation in 0..255 units: value = (pixel - mean) / std. */
  normalization: { mean: [number, number, number], std: [number, number, number] }
}

export interface ImageLimits {
  /** Largest width x height accepted, read from the header before any pixel is decoded. */
  maxPixels: number
  /** Longest a decode may take before it is cut off. */
  decodeTimeoutMs: number
}

export const DEFAULT_LIMITS: ImageLimits = { maxPixels: 50_000_000, decodeTimeoutMs: 10_000 }

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic' | 'tiff' | 'jp2' | 'jxl' | 'bmp' | 'ico' | 'psd' | 'svg' | 'pdf'

/** Formats the service decodes. Everything else that is recognisably an image is refused with 415. */
export const SUPPORTED_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'gif', 'webp', 'avif', 'tiff']

const ascii = (buf: Uint8Array, start: number, end: number): string => Buffer.from(buf.subarray(start, end)).toString('latin1')

/** Tells the format from the leading bytes; the client's content type is never trusted. */
export function sniffFormat (buf: Uint8Array): ImageFormat | undefined {
  if (buf.length < 12) return undefined
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg'
  if (ascii(buf, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png'
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return 'gif'
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp'
  if (ascii(buf, 4, 8) === 'ftyp') {
    const brands = ascii(buf, 8, Math.min(buf.length, 64))
    if (/avif|avis/.test(brands)) return 'avif'
    if (/heic|heix|hevc|hevx|heim|heis|mif1|msf1/.test(brands)) return 'heic'
    return undefined
  }
  const head4 = ascii(buf, 0, 4)
  if (head4 === 'II*\0' || head4 === 'MM\0*' || head4 === 'II+\0' || head4 === 'MM\0+') return 'tiff'
  if (ascii(buf, 0, 12) === '\0\0\0\x0cjP  \r\n\x87\n' || (buf[0] === 0xff && buf[1] === 0x4f && buf[2] === 0xff && buf[3] === 0x51)) return 'jp2'
  if ((buf[0] === 0xff && buf[1] === 0x0a) || ascii(buf, 0, 12) === '\0\0\0\x0cJXL \r\n\x87\n') return 'jxl'
  if (head4.startsWith('BM')) return 'bmp'
  if (buf[0] === 0 && buf[1] === 0 && buf[2] === 1 && buf[3] === 0) return 'ico'
  if (head4 === '8BPS') return 'psd'
  if (head4 === '%PDF') return 'pdf'
  const text = ascii(buf, 0, Math.min(buf.length, 512)).trimStart().toLowerCase()
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg'
  return undefined
}

export interface ImageInfo {
  format: ImageFormat
  width: number
  height: number
  pages: number
  orientation: number
  space: string
  depth: string
  hasAlpha: boolean
  channels: number
}

/** Reads the header only: format, dimensions, frames, orientation. Refuses what should not be decoded. */
export async function probeImage (buf: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Promise<ImageInfo> {
  const format = sniffFormat(buf)
  if (format === undefined) {
    throw new ServiceError(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 415, `The upload is not an image in a supported format (supported: ${SUPPORTED_FORMATS.join(', ')}).`)
  }
  if (!SUPPORTED_FORMATS.includes(format)) {
    throw new ServiceError(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 415, `${format.toUpperCase()} images are not supported (supported: ${SUPPORTED_FORMATS.join(', ')}).`)
  }
  let meta: Metadata
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata()
  } catch (err) {
    throw undecodable(format, err)
  }
  const width = meta.autoOrient?.width ?? meta.width
  const height = meta.autoOrient?.height ?? meta.height
  if (!width || !height) throw undecodable(format, new Error('no dimensions in header'))
  if (width * height > limits.maxPixels) {
    throw new ServiceError(ErrorCodes.TOO_MANY_PIXELS, 413,
      `The image is ${width}x${height} (${width * height} pixels), over the limit of ${limits.maxPixels} pixels (MAX_PIXELS).`)
  }
  return {
    format,
    width,
    height,
    pages: meta.pages ?? 1,
    orientation: meta.orientation ?? 1,
    space: meta.space ?? 'srgb',
    depth: meta.depth ?? 'uchar',
    hasAlpha: meta.hasAlpha ?? false,
    channels: meta.channels ?? 3
  }
}

function undecodable (format: string, err: unknown): ServiceError {
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err)
  return new ServiceError(ErrorCodes.UNDECODABLE_IMAGE, 422, `The ${format.toUpperCase()} image could not be decoded: ${detail}`, { cause: err })
}

export interface PreprocessedImage {
  /** Normalised pixels, height x width x 3, row-major (HWC), ready to be one item of an NHWC batch. */
  data: Float32Array
  info: ImageInfo
  /** What was done to the image on the way, for the client to know (rotated, alpha flattened, ...). */
  warnings: string[]
  /** Milliseconds: decode = header check + decode and resize (one sharp pipeline); preprocess = normalisation. */
  timings: { decode: number, preprocess: number }
}

/** Decodes to 8-bit sRGB HWC pixels at the model's input size, as the manifest says. */
export async function decodeAndResize (buf: Uint8Array, spec: InputSpec, limits: ImageLimits = DEFAULT_LIMITS): Promise<{ pixels: Buffer, info: ImageInfo, warnings: string[] }> {
  const info = await probeImage(buf, limits)
  const warnings = describeConversions(info, spec)
  let pixels: Buffer
  try {
    const result = await sharp(buf, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1, page: 0 })
      .autoOrient()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .resize(spec.width, spec.height, { fit: spec.resizeMode, position: 'centre', background: { r: 255, g: 255, b: 255 } })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .timeout({ seconds: Math.max(1, Math.ceil(limits.decodeTimeoutMs / 1000)) })
      .toBuffer({ resolveWithObject: true })
    pixels = result.data
    if (result.info.channels !== 3 || pixels.length !== spec.width * spec.height * 3) {
      throw new Error(`unexpected decoded shape ${result.info.width}x${result.info.height}x${result.info.channels}`)
    }
  } catch (err) {
    if (err instanceof Error && /timeout/i.test(err.message)) {
      throw new ServiceError(ErrorCodes.DECODE_TIMEOUT, 422, `Decoding the image took longer than ${limits.decodeTimeoutMs} ms and was stopped.`, { cause: err })
    }
    throw undecodable(info.format, err)
  }
  return { pixels, info, warnings }
}

export function normalizePixels (pixels: Uint8Array, spec: InputSpec, out = new Float32Array(pixels.length)): Float32Array {
  const [m0, m1, m2] = spec.normalization.mean
  const [s0, s1, s2] = spec.normalization.std
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = (pixels[i] - m0) / s0
    out[i + 1] = (pixels[i + 1] - m1) / s1
    out[i + 2] = (pixels[i + 2] - m2) / s2
  }
  return out
}

export async function preprocessImage (buf: Uint8Array, spec: InputSpec, limits: ImageLimits = DEFAULT_LIMITS): Promise<PreprocessedImage> {
  const started = performance.now()
  const { pixels, info, warnings } = await decodeAndResize(buf, spec, limits)
  const decoded = performance.now()
  const data = normalizePixels(pixels, spec)
  return { data, info, warnings, timings: { decode: decoded - started, preprocess: performance.now() - decoded } }
}

function describeConversions (info: ImageInfo, spec: InputSpec): string[] {
  const warnings: string[] = []
  if (info.orientation > 1) warnings.push(`rotated: EXIF orientation ${info.orientation} applied`)
  if (info.hasAlpha) warnings.push('alpha flattened onto white')
  if (info.pages > 1) warnings.push(`animated or multi-page: first of ${info.pages} frames used`)
  if (info.space === 'cmyk') warnings.push('converted from CMYK')
  else if (info.space === 'b-w' || info.space === 'grey16' || info.channels <= 2) warnings.push('converted from greyscale')
  if (info.depth !== 'uchar' && info.depth !== 'char') warnings.push(`converted from ${info.depth === 'ushort' ? '16-bit' : info.depth} samples`)
  if (info.width < spec.width || info.height < spec.height) warnings.push(`upscaled from ${info.width}x${info.height}`)
  return warnings
}

export interface ImagePreprocessor {
  readonly limits: ImageLimits
  preprocess: (buf: Uint8Array, spec: InputSpec) => Promise<PreprocessedImage>
}

export function createImagePreprocessor (limits: ImageLimits): ImagePreprocessor {
  return {
    limits,
    preprocess: (buf, spec) => preprocessImage(buf, spec, limits)
  }
}
