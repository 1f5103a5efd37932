import sharp from 'sharp'
import { decodeAndResize } from '../../services/image/decode.js'
import type { InputSpec } from '../../services/image/pixels.js'
import { mulberry32, seedOf } from './common.js'

/**
 * Training views of a photo. View 0 is the photo exactly as the service sees it. Views 1..k are augmented
 * deterministically (seeded by file name and view index): white-background replacement, random crop, flip,
 * colour jitter, occasional greyscale. Every view ends in the service's own decodeAndResize, so the model
 * input at training time goes through the same resize code as at serving time.
 */
export const AUG_VERSION = 'aug-v1'

export interface AugOptions {
  /** Probability of replacing a white background (only where one is detected). */
  pBackground: number
  pGrey: number
  minArea: number
}

export const DEFAULT_AUG: AugOptions = { pBackground: 0.7, pGrey: 0.1, minArea: 0.5 }

const WORK_SIDE = 384

interface Raw { data: Buffer, width: number, height: number }

async function decodeRaw (buf: Buffer): Promise<Raw> {
  const { data, info } = await sharp(buf, { failOn: 'error', pages: 1 })
    .autoOrient()
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb')
    .resize(WORK_SIDE, WORK_SIDE, { fit: 'inside', withoutEnlargement: false })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

const isWhite = (d: Buffer, i: number): boolean => {
  const r = d[i]; const g = d[i + 1]; const b = d[i + 2]
  return Math.min(r, g, b) >= 228 && Math.max(r, g, b) - Math.min(r, g, b) <= 18
}

/** Fraction of border pixels that are near-white: a cut-out or product shot on white. */
export function whiteBorderFraction (raw: Raw): number {
  const { data, width, height } = raw
  let white = 0; let n = 0
  for (let x = 0; x < width; x++) {
    for (const y of [0, 1, height - 2, height - 1]) { n++; if (isWhite(data, (y * width + x) * 3)) white++ }
  }
  for (let y = 0; y < height; y++) {
    for (const x of [0, 1, width - 2, width - 1]) { n++; if (isWhite(data, (y * width + x) * 3)) white++ }
  }
  return white / n
}

/** Mask (1 = background) of near-white pixels connected to the image border. */
export function whiteBackgroundMask (raw: Raw): Uint8Array {
  const { data, width, height } = raw
  const mask = new Uint8Array(width * height)
  const stack: number[] = []
  const push = (p: number): void => { if (mask[p] === 0 && isWhite(data, p * 3)) { mask[p] = 1; stack.push(p) } }
  for (let x = 0; x < width; x++) { push(x); push((height - 1) * width + x) }
  for (let y = 0; y < height; y++) { push(y * width); push(y * width + width - 1) }
  while (stack.length > 0) {
    const p = stack.pop() as number
    const x = p % width; const y = (p - x) / width
    if (x > 0) push(p - 1)
    if (x < width - 1) push(p + 1)
    if (y > 0) push(p - width)
    if (y < height - 1) push(p + width)
  }
  return mask
}

/** A synthetic background (no photo from any source, so grouped evaluation cannot leak through it). */
export function syntheticBackground (width: number, height: number, rand: () => number): Buffer {
  const out = Buffer.alloc(width * height * 3)
  const colour = (): number[] => {
    // table-ish tones most of the time, any colour sometimes
    if (rand() < 0.6) { const base = 60 + rand() * 150; return [base + rand() * 60, base * (0.7 + rand() * 0.3), base * (0.4 + rand() * 0.4)] }
    return [rand() * 255, rand() * 255, rand() * 255]
  }
  const a = colour(); const b = colour()
  const kind = Math.floor(rand() * 4)
  const cell = 8 + Math.floor(rand() * 40)
  const freq = 0.02 + rand() * 0.1
  const angle = rand() * Math.PI
  const noise = rand() * 30
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let t: number
      const u = x * Math.cos(angle) + y * Math.sin(angle)
      if (kind === 0) t = 0 // solid
      else if (kind === 1) t = u / (width + height) + 0.5 // gradient
      else if (kind === 2) t = ((Math.floor(x / cell) + Math.floor(y / cell)) % 2) // checked cloth
      else t = 0.5 + 0.5 * Math.sin(u * freq + 3 * Math.sin(u * freq * 0.13)) // wood-like stripes
      t = Math.max(0, Math.min(1, t))
      const n = (rand() - 0.5) * noise
      const i = (y * width + x) * 3
      for (let c = 0; c < 3; c++) out[i + c] = Math.max(0, Math.min(255, a[c] * (1 - t) + b[c] * t + n))
    }
  }
  return out
}

export function replaceBackground (raw: Raw, mask: Uint8Array, bg: Buffer): Buffer {
  const out = Buffer.from(raw.data)
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 1) { out[p * 3] = bg[p * 3]; out[p * 3 + 1] = bg[p * 3 + 1]; out[p * 3 + 2] = bg[p * 3 + 2] }
  }
  return out
}

export interface ViewResult { pixels: Buffer, applied: string[] }

/** Pixels (uint8 HWC at spec size) of view `view` of a photo. */
export async function renderView (buf: Buffer, file: string, view: number, spec: InputSpec, opts: AugOptions = DEFAULT_AUG): Promise<ViewResult> {
  if (view === 0) return { pixels: (await decodeAndResize(buf, spec)).pixels, applied: [] }
  const rand = mulberry32(seedOf(AUG_VERSION, file, view))
  const applied: string[] = []
  const raw = await decodeRaw(buf)
  let data = raw.data
  if (rand() < opts.pBackground && whiteBorderFraction(raw) > 0.5) {
    const mask = whiteBackgroundMask(raw)
    data = replaceBackground(raw, mask, syntheticBackground(raw.width, raw.height, rand))
    applied.push('background')
  }
  // random crop: area fraction and aspect ratio
  const area = opts.minArea + rand() * (1 - opts.minArea)
  const aspect = Math.exp((rand() - 0.5) * 2 * Math.log(4 / 3))
  let cw = Math.round(Math.sqrt(area * aspect) * raw.width)
  let ch = Math.round(Math.sqrt(area / aspect) * raw.height)
  cw = Math.max(16, Math.min(raw.width, cw)); ch = Math.max(16, Math.min(raw.height, ch))
  const left = Math.floor(rand() * (raw.width - cw + 1)); const top = Math.floor(rand() * (raw.height - ch + 1))
  applied.push('crop')
  let img = sharp(data, { raw: { width: raw.width, height: raw.height, channels: 3 } }).extract({ left, top, width: cw, height: ch })
  if (rand() < 0.5) { img = img.flop(); applied.push('flip') }
  const brightness = 0.75 + rand() * 0.5; const saturation = 0.7 + rand() * 0.6; const hue = Math.round((rand() - 0.5) * 24)
  img = img.modulate({ brightness, saturation, hue })
  applied.push('colour')
  if (rand() < opts.pGrey) { img = img.greyscale().toColourspace('srgb'); applied.push('grey') }
  const png = await img.png({ compressionLevel: 0 }).toBuffer()
  return { pixels: (await decodeAndResize(png, spec)).pixels, applied }
}
