import sharp, { type Metadata } from 'sharp'
import { ServiceError, ErrorCodes } from '../common/errors.js'
import { countSequenceFrames, readFileTypeBrands, readJpegHeader, readLargestItemSize, readPngAnimation, readPngSize, type JpegHeader } from './headers.js'

/**
 * The first step an upload takes: its format told from the bytes, its header read (by headers.ts for what libvips
 * does not report, else by libvips), and everything that must not be decoded refused (415 for an unsupported
 * format or variant, 413 for too many pixels, 422 for an unreadable header). decode.ts then decodes what this
 * returns, without reading the header again.
 */

export interface ImageLimits {
  /** Largest width x height accepted, read from the header before any pixel is decoded. */
  maxPixels: number
  /** Longest a decode may take before it is cut off. */
  decodeTimeoutMs: number
}

export const DEFAULT_LIMITS: ImageLimits = { maxPixels: 50_000_000, decodeTimeoutMs: 10_000 }

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif' | 'heic' | 'tiff' | 'jp2' | 'jxl' | 'bmp' | 'ico' | 'psd' | 'svg' | 'pdf' |
  'pnm' | 'xpm' | 'icns' | 'qoi'

const DECODED = ['jpeg', 'png', 'gif', 'webp', 'avif', 'tiff'] as const satisfies readonly ImageFormat[]

/** Formats the service decodes. Everything else that is recognisably an image is refused with 415. */
export const SUPPORTED_FORMATS: readonly ImageFormat[] = DECODED

export const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP', avif: 'AVIF', tiff: 'TIFF', heic: 'HEIC/HEIF', jp2: 'JPEG 2000', jxl: 'JPEG XL',
  bmp: 'BMP', ico: 'ICO', psd: 'PSD', svg: 'SVG', pdf: 'PDF', pnm: 'PNM (PPM/PGM/PBM)', xpm: 'XPM', icns: 'ICNS', qoi: 'QOI'
}

const NO_DECODER = 'the image library bundled with the service (sharp\'s prebuilt libvips) has no decoder for it'

/** Why each recognised format outside SUPPORTED_FORMATS is refused; the 415 message names the format and the reason. */
export const REFUSED_FORMATS: Readonly<Record<Exclude<ImageFormat, typeof DECODED[number]>, string>> = {
  heic: 'sharp\'s prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible)',
  jp2: NO_DECODER,
  jxl: NO_DECODER,
  bmp: NO_DECODER,
  ico: NO_DECODER,
  psd: NO_DECODER,
  pnm: NO_DECODER,
  xpm: NO_DECODER,
  icns: NO_DECODER,
  qoi: NO_DECODER,
  svg: 'vector drawings are not rendered',
  pdf: 'documents are not rendered'
}

const supportedList = (): string => SUPPORTED_FORMATS.map(f => FORMAT_NAMES[f]).join(', ')

/** One sentence for the API description: what is decoded and what is refused. */
export function describeFormats (): string {
  return `Supported formats: ${supportedList()} (JPEG: baseline, progressive, lossless, arithmetic-coded, CMYK, greyscale; ` +
    'animations and multi-page files: the first frame or page). Refused with 415: HEIC/HEIF (HEVC), 12-bit and hierarchical JPEG, ' +
    `${Object.keys(REFUSED_FORMATS).filter(f => f !== 'heic').map(f => FORMAT_NAMES[f as ImageFormat]).join(', ')}. ` +
    'The format is told from the bytes, not the content type.'
}

const ascii = (buf: Uint8Array, start: number, end: number): string => Buffer.from(buf.subarray(start, end)).toString('latin1')

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1'])

/** Tells the format from the leading bytes; the client's content type is never trusted. */
export function sniffFormat (buf: Uint8Array): ImageFormat | undefined {
  if (buf.length < 12) return undefined
  // SOI alone, as libjpeg and libvips require: a JPEG whose next marker is damaged is a broken JPEG (422), not "not an image".
  if (buf[0] === 0xff && buf[1] === 0xd8) return 'jpeg'
  if (ascii(buf, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png'
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return 'gif'
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp'
  const brands = readFileTypeBrands(buf)
  if (brands !== undefined) {
    const all = [brands.major, ...brands.compatible]
    if (all.includes('avif') || all.includes('avis')) return 'avif'
    if (all.some(b => HEIF_BRANDS.has(b))) return 'heic'
    return undefined
  }
  const head4 = ascii(buf, 0, 4)
  if (head4 === 'II*\0' || head4 === 'MM\0*' || head4 === 'II+\0' || head4 === 'MM\0+') return 'tiff'
  if (ascii(buf, 0, 12) === '\0\0\0\x0cjP  \r\n\x87\n' || (buf[0] === 0xff && buf[1] === 0x4f && buf[2] === 0xff && buf[3] === 0x51)) return 'jp2'
  if ((buf[0] === 0xff && buf[1] === 0x0a) || ascii(buf, 0, 12) === '\0\0\0\x0cJXL \r\n\x87\n') return 'jxl'
  if (head4.startsWith('BM')) return 'bmp'
  if (isIcoDirectory(buf)) return 'ico'
  if (head4 === '8BPS') return 'psd'
  if (head4 === '%PDF') return 'pdf'
  if (head4 === 'icns') return 'icns'
  if (head4 === 'qoif') return 'qoi'
  if (/^P[1-7]\s/.test(ascii(buf, 0, 3))) return 'pnm'
  const text = ascii(buf, 0, Math.min(buf.length, 512)).trimStart().toLowerCase()
  if (text.startsWith('/* xpm */')) return 'xpm'
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg'
  return undefined
}

/** ICO and CUR have a 4-byte signature so weak (0 0 1 0) that TGA files share it: check the directory fits too. */
function isIcoDirectory (buf: Uint8Array): boolean {
  if (buf[0] !== 0 || buf[1] !== 0 || (buf[2] !== 1 && buf[2] !== 2) || buf[3] !== 0) return false
  const count = buf[4] | (buf[5] << 8)
  return count > 0 && 6 + 16 * count <= buf.length && buf[9] === 0
}

export interface ImageInfo {
  format: ImageFormat
  /** Upright dimensions, after the EXIF orientation. */
  width: number
  height: number
  /** Frames of an animation or pages of a multi-page file; 1 for a still image, 0 for an animation of unknown length. */
  pages: number
  /** Whether the pages are the frames of an animation (GIF, WebP, APNG, AVIF sequence) rather than document pages. */
  animated: boolean
  /** An APNG whose default image is a still fallback outside the animation: that image is what is decoded. */
  stillFallback: boolean
  orientation: number
  space: string
  depth: string
  hasAlpha: boolean
  channels: number
}

const unsupported = (message: string): ServiceError => new ServiceError(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 415, message)

/**
 * JPEG coding processes the bundled libjpeg (mozjpeg on libjpeg-turbo 3: baseline, extended, progressive, lossless,
 * Huffman or arithmetic coded) cannot decode through libvips: samples other than 8-bit, and hierarchical JPEG.
 */
function refuseJpegVariant (header: JpegHeader | undefined): void {
  const frame = header?.frame
  if (frame === undefined) return
  if (frame.sof === 5 || frame.sof === 6 || frame.sof === 7 || frame.sof === 13 || frame.sof === 14 || frame.sof === 15) {
    throw unsupported(`Hierarchical JPEG (SOF${frame.sof}) images are not supported: the bundled JPEG decoder handles sequential, progressive and lossless JPEG only (supported: ${supportedList()}).`)
  }
  if (frame.precision !== 8) {
    throw unsupported(`${frame.precision}-bit JPEG images are not supported: the bundled JPEG decoder handles 8-bit samples only (supported: ${supportedList()}).`)
  }
}

/**
 * libvips recognises HEIF files by their major brand only, and 8.18 does not list 'avis' (AVIF image sequence).
 * A sequence that also declares the still-image brand 'avif' carries a primary image (libavif writes the first
 * frame there): relabelling the major brand of a copy lets libvips decode that image.
 */
function avifSequence (buf: Uint8Array): { input: Uint8Array, frames: number } | undefined {
  const brands = readFileTypeBrands(buf)
  if (brands === undefined || brands.major !== 'avis') return undefined
  if (!brands.compatible.includes('avif')) {
    throw unsupported(`AVIF image sequences without a still image are not supported: send the first frame as an image (supported: ${supportedList()}).`)
  }
  const input = Buffer.from(buf)
  input.write('avif', 8, 'latin1')
  return { input, frames: countSequenceFrames(buf) ?? 0 }
}

/**
 * Sizes read before libvips sees the file: libpng refuses sides over a million as a corrupt header, and libvips takes an
 * absurd AVIF size (ispe) as far as GLib range errors. Read here, too many pixels is a 413 whatever the format.
 */
function declaredSize (buf: Uint8Array, format: ImageFormat): { width: number, height: number } | undefined {
  if (format === 'avif') return readLargestItemSize(buf)
  if (format === 'png') return readPngSize(buf)
  return undefined
}

/** What probing found, and the bytes the decoder is to read: the upload itself, or a relabelled copy (see avifSequence). */
export interface ProbedImage {
  info: ImageInfo
  bytes: Uint8Array
}

/** Reads the header only: format, dimensions, frames, orientation. Refuses what should not be decoded. */
export async function probeImage (buf: Uint8Array, limits: ImageLimits = DEFAULT_LIMITS): Promise<ProbedImage> {
  const format = sniffFormat(buf)
  if (format === undefined) {
    throw unsupported(`The upload is not an image in a supported format (supported: ${supportedList()}).`)
  }
  if (!SUPPORTED_FORMATS.includes(format)) {
    const reason = REFUSED_FORMATS[format as keyof typeof REFUSED_FORMATS]
    throw unsupported(`${FORMAT_NAMES[format]} images are not supported: ${reason} (supported: ${supportedList()}).`)
  }
  const jpeg = format === 'jpeg' ? readJpegHeader(buf) : undefined
  refuseJpegVariant(jpeg)
  const fromHeader = jpeg === undefined ? undefined : jpegInfo(jpeg)
  if (fromHeader !== undefined) {
    if (fromHeader.width * fromHeader.height > limits.maxPixels) throw tooManyPixels(fromHeader.width, fromHeader.height, limits)
    return { info: fromHeader, bytes: buf }
  }
  const declared = declaredSize(buf, format)
  if (declared !== undefined && declared.width * declared.height > limits.maxPixels) throw tooManyPixels(declared.width, declared.height, limits)
  const sequence = format === 'avif' ? avifSequence(buf) : undefined
  let meta: Metadata
  try {
    meta = await sharp(sequence?.input ?? buf, { limitInputPixels: false }).metadata()
  } catch (err) {
    throw undecodable(format, err)
  }
  const width = meta.autoOrient?.width ?? meta.width
  const height = meta.autoOrient?.height ?? meta.height
  if (!width || !height) throw undecodable(format, new Error('no dimensions in header'))
  if (width * height > limits.maxPixels) throw tooManyPixels(width, height, limits)
  const apng = format === 'png' ? readPngAnimation(buf) : undefined
  let pages = meta.pages ?? 1
  if (apng !== undefined) pages = Math.max(1, apng.frames)
  if (sequence !== undefined) pages = sequence.frames
  const info: ImageInfo = {
    format,
    width,
    height,
    pages,
    animated: sequence !== undefined || apng !== undefined || ((format === 'gif' || format === 'webp') && pages > 1),
    stillFallback: apng !== undefined && !apng.defaultImageIsFirstFrame,
    orientation: meta.orientation ?? 1,
    space: meta.space ?? 'srgb',
    depth: meta.depth ?? 'uchar',
    hasAlpha: meta.hasAlpha ?? false,
    channels: meta.channels ?? 3
  }
  return { info, bytes: sequence?.input ?? buf }
}

const JPEG_SPACES: Record<number, { space: string, channels: number }> = { 1: { space: 'b-w', channels: 1 }, 3: { space: 'srgb', channels: 3 }, 4: { space: 'cmyk', channels: 4 } }

/**
 * What libvips's header read would report for an ordinary JPEG, from its marker segments alone: probing the
 * uploads that are nearly all JPEGs then costs no trip to the decoder's threads (about 0.5 ms of CPU and a thread
 * hand-off each). Anything unusual (no scan start, a size left to a DNL marker, other component counts) is left
 * to libvips; test/services/image/decode.test.ts holds both readings equal on every JPEG fixture.
 */
function jpegInfo (header: JpegHeader): ImageInfo | undefined {
  const frame = header.frame
  const colour = frame === undefined ? undefined : JPEG_SPACES[frame.components]
  const orientation = header.orientation
  if (!header.complete || frame === undefined || colour === undefined || frame.width === 0 || frame.height === 0 || orientation === undefined) return undefined
  const turned = orientation >= 5
  return {
    format: 'jpeg',
    width: turned ? frame.height : frame.width,
    height: turned ? frame.width : frame.height,
    pages: 1,
    animated: false,
    stillFallback: false,
    orientation,
    space: colour.space,
    depth: 'uchar',
    hasAlpha: false,
    channels: colour.channels
  }
}

function tooManyPixels (width: number, height: number, limits: ImageLimits): ServiceError {
  return new ServiceError(ErrorCodes.TOO_MANY_PIXELS, 413,
    `The image is ${width}x${height} (${BigInt(width) * BigInt(height)} pixels), over the limit of ${limits.maxPixels} pixels (MAX_PIXELS).`)
}

/** libvips reports a failed decode as its accumulated log: warnings first, the error that stopped it last. */
function decoderMessage (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const lines = err.message.split('\n').map(l => l.trim()).filter(Boolean)
  return (lines.at(-1) ?? '').replace(/^Input buffer has corrupt header:\s*/, '') || 'corrupt header'
}

export function undecodable (format: ImageFormat, err: unknown): ServiceError {
  return new ServiceError(ErrorCodes.UNDECODABLE_IMAGE, 422, `The ${FORMAT_NAMES[format]} image could not be decoded: ${decoderMessage(err)}`, { cause: err })
}
