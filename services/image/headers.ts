/**
 * Just enough of the JPEG, PNG and ISO-BMFF (AVIF/HEIF) container structures to learn, before anything is
 * decoded, what libvips does not report: a JPEG's coding process and sample precision (and, so that a JPEG is
 * probed without a call into libvips, its size, components and EXIF orientation), an APNG's frames, the sizes
 * a PNG or an AVIF declares (checked against MAX_PIXELS before libvips reads them), and an AVIF image sequence's
 * brands and frame count. Every reader is bounded by the buffer and gives up
 * (returns undefined) on anything malformed, leaving the verdict to the decoder.
 */

const be16 = (buf: Uint8Array, at: number): number => (buf[at] << 8) | buf[at + 1]
const be32 = (buf: Uint8Array, at: number): number => ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0
const fourcc = (buf: Uint8Array, at: number): string => String.fromCharCode(buf[at], buf[at + 1], buf[at + 2], buf[at + 3])

export interface JpegFrameHeader {
  /** n of the SOFn marker: 0 baseline, 1 extended, 2 progressive, 3 lossless, 5-7 hierarchical, 9-11 and 13-15 arithmetic-coded. */
  sof: number
  /** Bits per sample: 8 for nearly every JPEG; 12 (medical, some cameras) or 2-16 for lossless. */
  precision: number
  width: number
  height: number
  components: number
}

export interface JpegHeader {
  /** The frame header (SOFn), when one was reached. */
  frame?: JpegFrameHeader
  /**
   * EXIF orientation (1-8) from IFD0 of the first Exif APP1 segment, 1 when there is none; undefined when an entry is
   * there but not a plain 1-8 (a type or value libexif may read its own way): the caller then asks libvips.
   */
  orientation?: number
  /** Whether the walk reached the start of the scan (SOS): then every header segment was read. */
  complete: boolean
}

/** Walks the JPEG marker segments up to the start of the scan (SOS): the frame header and the EXIF orientation. */
export function readJpegHeader (buf: Uint8Array): JpegHeader | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined
  const header: JpegHeader = { orientation: 1, complete: false }
  let exifSeen = false
  let at = 2
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) return header.frame === undefined ? undefined : header
    const marker = buf[at + 1]
    if (marker === 0xff) { at += 1; continue }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { at += 2; continue }
    if (marker === 0xda) return { ...header, complete: header.frame !== undefined }
    if (marker === 0xd9) return header.frame === undefined ? undefined : header
    const length = be16(buf, at + 2)
    if (length < 2) return header.frame === undefined ? undefined : header
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame && header.frame === undefined) {
      if (at + 10 > buf.length) return undefined
      header.frame = { sof: marker - 0xc0, precision: buf[at + 4], height: be16(buf, at + 5), width: be16(buf, at + 7), components: buf[at + 9] }
    }
    if (marker === 0xe1 && !exifSeen && at + 2 + length <= buf.length && fourcc(buf, at + 4) === 'Exif' && buf[at + 8] === 0 && buf[at + 9] === 0) {
      exifSeen = true
      header.orientation = readExifOrientation(buf.subarray(at + 10, at + 2 + length))
    }
    at += 2 + length
  }
  return header.frame === undefined ? undefined : header
}

/** The frame header (SOFn) of a JPEG, read without decoding. */
export function readJpegFrameHeader (buf: Uint8Array): JpegFrameHeader | undefined {
  return readJpegHeader(buf)?.frame
}

/**
 * Orientation (tag 0x0112) from IFD0 of the TIFF structure in an Exif segment: 1 when the structure or the entry is
 * absent, undefined when the entry is there with a value outside 1-8 or a type other than a 16- or 32-bit integer.
 */
function readExifOrientation (tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return 1
  const little = tiff[0] === 0x49 && tiff[1] === 0x49
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1
  const u16 = (at: number): number => little ? tiff[at] | (tiff[at + 1] << 8) : be16(tiff, at)
  const u32 = (at: number): number => little ? (tiff[at] | (tiff[at + 1] << 8) | (tiff[at + 2] << 16) | (tiff[at + 3] << 24)) >>> 0 : be32(tiff, at)
  if (u16(2) !== 42) return 1
  const ifd = u32(4)
  if (ifd + 2 > tiff.length) return 1
  const entries = u16(ifd)
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i
    if (entry + 12 > tiff.length) return undefined
    if (u16(entry) === 0x0112) {
      const type = u16(entry + 2)
      // SHORT and SSHORT, LONG and SLONG (some writers use these; libexif reads them all)
      const value = type === 3 || type === 8 ? u16(entry + 8) : type === 4 || type === 9 ? u32(entry + 8) : 0
      return value >= 1 && value <= 8 ? value : undefined
    }
  }
  return 1
}

/** The width and height of a PNG's IHDR chunk, which opens every PNG after its signature. */
export function readPngSize (buf: Uint8Array): { width: number, height: number } | undefined {
  if (buf.length < 24 || fourcc(buf, 12) !== 'IHDR') return undefined
  return { width: be32(buf, 16), height: be32(buf, 20) }
}

export interface PngAnimation {
  /** num_frames of the acTL chunk. */
  frames: number
  /** An fcTL before the first IDAT makes the default image the first frame; otherwise it is a still fallback. */
  defaultImageIsFirstFrame: boolean
}

/** Finds the APNG animation control chunk, which libvips ignores (it decodes the default image only). */
export function readPngAnimation (buf: Uint8Array): PngAnimation | undefined {
  if (buf.length < 16 || be32(buf, 0) !== 0x89504e47) return undefined
  let at = 8
  let frames: number | undefined
  let fcTLBeforeIdat = false
  let reachedImageData = false
  while (at + 12 <= buf.length) {
    const length = be32(buf, at)
    const type = fourcc(buf, at + 4)
    if (type === 'IDAT' || type === 'IEND') { reachedImageData = true; break }
    if (type === 'acTL' && length >= 8 && at + 16 <= buf.length) frames = be32(buf, at + 8)
    if (type === 'fcTL') fcTLBeforeIdat = true
    at += 12 + length
  }
  // Cut before the image data, the file cannot say whether its default image is a frame: let the decoder judge it.
  return frames === undefined || !reachedImageData ? undefined : { frames, defaultImageIsFirstFrame: fcTLBeforeIdat }
}

export interface FileTypeBrands {
  major: string
  compatible: string[]
}

/** The ftyp box that opens every ISO-BMFF file (AVIF, HEIF/HEIC, MP4). */
export function readFileTypeBrands (buf: Uint8Array): FileTypeBrands | undefined {
  if (buf.length < 16 || fourcc(buf, 4) !== 'ftyp') return undefined
  const size = Math.min(be32(buf, 0), buf.length, 4096)
  if (size < 16) return undefined
  const compatible: string[] = []
  for (let at = 16; at + 4 <= size; at += 4) compatible.push(fourcc(buf, at))
  return { major: fourcc(buf, 8), compatible }
}

/** Boxes that only hold other boxes; meta is a full box (4 bytes of version and flags before its children). */
const CONTAINER_BOXES: Record<string, number> = { moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, meta: 4, iprp: 0, ipco: 0 }

/** Calls visit(type, bodyStart, bodyEnd) for every box down the container boxes; stops when visit returns true. */
function walkBoxes (buf: Uint8Array, visit: (type: string, start: number, end: number) => boolean | undefined): void {
  const walk = (start: number, end: number, depth: number): boolean => {
    let at = start
    while (at + 8 <= end) {
      let size = be32(buf, at)
      const type = fourcc(buf, at + 4)
      let header = 8
      if (size === 1) {
        if (at + 16 > end) return false
        size = be32(buf, at + 8) * 2 ** 32 + be32(buf, at + 12)
        header = 16
      } else if (size === 0) {
        size = end - at
      }
      if (size < header || at + size > end) return false
      if (visit(type, at + header, at + size) === true) return true
      const skip = CONTAINER_BOXES[type]
      if (skip !== undefined && depth < 6 && walk(at + header + skip, at + size, depth + 1)) return true
      at += size
    }
    return false
  }
  walk(0, buf.length, 0)
}

/** The sample count of the first track's sample size box (moov/trak/mdia/minf/stbl/stsz): the frames of an AVIF sequence. */
export function countSequenceFrames (buf: Uint8Array): number | undefined {
  let frames: number | undefined
  walkBoxes(buf, (type, start, end) => {
    if (type === 'stsz' && end - start >= 12) { frames = be32(buf, start + 8); return true }
  })
  return frames
}

/** The largest image spatial extents (meta/iprp/ipco/ispe) an AVIF/HEIF file declares: its item sizes, before decoding. */
export function readLargestItemSize (buf: Uint8Array): { width: number, height: number } | undefined {
  let largest: { width: number, height: number } | undefined
  walkBoxes(buf, (type, start, end) => {
    if (type === 'ispe' && end - start >= 12) {
      const width = be32(buf, start + 4)
      const height = be32(buf, start + 8)
      if (largest === undefined || width * height > largest.width * largest.height) largest = { width, height }
    }
    return undefined
  })
  return largest
}
