/**
 * Builds test/fixtures/edge/<category>/: a small committed subset of the data step's edge-case corpus, so that the
 * main test suite covers every category without data/. Two kinds of files (provenance and licences in
 * test/fixtures/edge/SOURCES.md):
 *   - byte-for-byte copies from data/edge_cases/ of files under permissive licences (needs `npm run data`);
 *   - files made here from the CC0 flower of test/fixtures/images/ for what the corpus lacks or holds only under
 *     copyleft licences: APNG, animated WebP/AVIF, multi-page TIFF, arithmetic, lossless and 12-bit JPEG,
 *     absurd headers, 65535x1 strips, bit flips. `jpegtran` (libjpeg-turbo-progs) and `avifenc` (libavif-bin)
 *     make two of them; without those tools the committed files are left as they are.
 * Usage: npx tsx scripts/data/edge-fixtures.ts
 */
import { execFileSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { projectRoot } from '../../services/common/project.js'

const data = join(projectRoot, 'data/edge_cases')
const out = join(projectRoot, 'test/fixtures/edge')
const images = join(projectRoot, 'test/fixtures/images')

const COPIES: Record<string, string[]> = {
  animated: ['golang-github-gabriel-vasile-mimetype-dev__apng.png'],
  avif: ['libsdl2-image-tests__sample.avif', 'golang-github-gabriel-vasile-mimetype-dev__avif.avif'],
  cmyk_jpeg: ['golang-1.19-src__video-001.cmyk.jpeg'],
  exif_orientation: [
    ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map(n => `golang-github-disintegration-imaging-dev__orientation_${n}.jpg`),
    ...[1, 2, 3, 4, 5, 6, 7, 8].map(n => `golang-github-rwcarlsen-goexif-dev__f${n}-exif.jpg`)
  ],
  extreme_aspect_or_tiny: ['libjxl-testdata__1x1_exif_xmp.jpg'],
  grayscale: ['golang-1.19-src__video-005.gray.jpeg', 'golang-golang-x-image-dev__video-001-gray-16bit.tiff'],
  heic: ['golang-go4-dev__rotate.heic'],
  jpeg_variants: ['410', '411', '420', '422', '440', '444'].map(s => `golang-1.19-src__video-001.q50.${s}.jpeg`).concat('golang-1.19-src__video-001.rgb.jpeg'),
  other_formats: [
    'afl_-doc__not_kitty.jp2', 'libsdl2-image-tests__sample.jxl', 'libsdl2-image-tests__sample.bmp', 'libsdl2-image-tests__sample.ico',
    'golang-1.19-src__basn0g01.png', 'golang-1.19-src__basn0g16.png', 'golang-1.19-src__basn2c16.png', 'golang-1.19-src__basn3p04.png',
    'golang-1.19-src__basn4a16.png'
  ],
  png_alpha: [],
  progressive_jpeg: ['golang-1.19-src__video-001.progressive.jpeg'],
  tiff: [
    'afl_-doc__not_kitty.tiff', 'libsdl2-image-tests__sample.tif', 'golang-golang-x-image-dev__video-001-16bit.tiff',
    'golang-golang-x-image-dev__video-001-gray.tiff', 'golang-golang-x-image-dev__video-001-paletted.tiff', 'golang-golang-x-image-dev__video-001-tile-64x64.tiff'
  ],
  truncated_corrupt: [
    'golang-1.19-src__invalid-crc32.png', 'golang-1.19-src__invalid-noend.png', 'golang-1.19-src__invalid-trunc.png', 'golang-1.19-src__invalid-zlib.png',
    'golang-1.19-src__video-001.progressive.truncated.jpeg', 'golang-github-rwcarlsen-goexif-dev__infinite_loop_exif.jpg',
    'libjxl-testdata__clusterfuzz-testcase-minimized-djxl_fuzzer-4787817341911040'
  ],
  webp: [
    'golang-golang-x-image-dev__blue-purple-pink.lossy.webp', 'golang-golang-x-image-dev__blue-purple-pink.lossless.webp',
    'golang-golang-x-image-dev__yellow_rose.lossy-with-alpha.webp', 'golang-golang-x-image-dev__video-001.lossy.webp', 'libsdl2-image-tests__sample.webp'
  ]
}

const put = async (category: string, name: string, bytes: Uint8Array | string): Promise<void> => {
  await mkdir(join(out, category), { recursive: true })
  await writeFile(join(out, category, name), bytes)
}

const be32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b }
const pngChunk = (type: string, body: Buffer): Buffer => {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body])
  return Buffer.concat([be32(body.length), typed, be32(crc32(typed))])
}

interface PngChunk { type: string, body: Buffer }
function pngChunks (png: Buffer): PngChunk[] {
  const chunks: PngChunk[] = []
  for (let at = 8; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at)
    chunks.push({ type: png.toString('latin1', at + 4, at + 8), body: png.subarray(at + 8, at + 8 + length) })
    at += 12 + length
  }
  return chunks
}

/** An APNG from same-sized PNG frames; with `still`, the default image (IDAT) is that still, outside the animation. */
function apng (frames: Buffer[], still?: Buffer): Buffer {
  const parsed = frames.map(pngChunks)
  const ihdr = parsed[0].find(c => c.type === 'IHDR')!
  const width = ihdr.body.readUInt32BE(0)
  const height = ihdr.body.readUInt32BE(4)
  let sequence = 0
  const fcTL = (): Buffer => {
    const b = Buffer.alloc(26)
    b.writeUInt32BE(sequence++, 0); b.writeUInt32BE(width, 4); b.writeUInt32BE(height, 8)
    b.writeUInt16BE(1, 20); b.writeUInt16BE(2, 22) // 1/2 s per frame
    return pngChunk('fcTL', b)
  }
  const idat = (chunks: PngChunk[]): Buffer[] => chunks.filter(c => c.type === 'IDAT').map(c => pngChunk('IDAT', c.body))
  const fdat = (chunks: PngChunk[]): Buffer[] => chunks.filter(c => c.type === 'IDAT').map(c => pngChunk('fdAT', Buffer.concat([be32(sequence++), c.body])))
  const parts = [Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), pngChunk('IHDR', ihdr.body), pngChunk('acTL', Buffer.concat([be32(frames.length), be32(0)]))]
  if (still !== undefined) {
    parts.push(...idat(pngChunks(still)))
    for (const frame of parsed) parts.push(fcTL(), ...fdat(frame))
  } else {
    parts.push(fcTL(), ...idat(parsed[0]))
    for (const frame of parsed.slice(1)) parts.push(fcTL(), ...fdat(frame))
  }
  parts.push(pngChunk('IEND', Buffer.alloc(0)))
  return Buffer.concat(parts)
}

const marker = (code: number, body: number[]): Buffer => Buffer.from([0xff, code, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff, ...body])

/**
 * Hand-built 8x8 greyscale JPEGs, valid per ITU T.81: a flat mid-grey 12-bit one (SOF1, P=12, one DC-only block), which
 * sharp's mozjpeg does not decode, and an 8-bit lossless one (SOF3, predictor 1) whose rows run 128..135, which it does.
 */
function greyJpeg (kind: '12-bit' | 'lossless'): Buffer {
  const huffman = (tableClass: number, counts: number[], symbols: number[]): Buffer =>
    marker(0xc4, [(tableClass << 4) | 0, ...counts, ...new Array(16 - counts.length).fill(0), ...symbols])
  if (kind === '12-bit') {
    const dqt = marker(0xdb, [0x10, ...new Array(64).fill(0).flatMap(() => [0, 1])])
    const sof = marker(0xc1, [12, 0, 8, 0, 8, 1, 1, 0x11, 0])
    const sos = marker(0xda, [1, 1, 0x00, 0, 63, 0])
    // DC difference category 0 ('0'), then end of block ('0'), padded with ones.
    return Buffer.concat([Buffer.from([0xff, 0xd8]), dqt, sof, huffman(0, [1], [0]), huffman(1, [1], [0]), sos, Buffer.from([0x3f, 0xff, 0xd9])])
  }
  const sof = marker(0xc3, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])
  const sos = marker(0xda, [1, 1, 0x00, 1, 0, 0]) // predictor 1 (left), no point transform
  // Each row: the first sample predicted (from 2^(P-1) = 128, then from above) with difference 0, code '0'; the next
  // seven each +1 from the left: category 1 ('10') and its extra bit '1'. 8 rows of 22 bits make 22 bytes, no 0xFF.
  const bits = '0' + '101'.repeat(7)
  const stream = bits.repeat(8)
  const scan = Buffer.from(Array.from({ length: stream.length / 8 }, (_, i) => parseInt(stream.slice(i * 8, i * 8 + 8), 2)))
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, huffman(0, [1, 1], [0, 1]), sos, scan, Buffer.from([0xff, 0xd9])])
}

function withJpegSize (jpeg: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(jpeg)
  for (let at = 2; at + 9 < copy.length;) {
    const code = copy[at + 1]
    if (code >= 0xc0 && code <= 0xc2) { copy.writeUInt16BE(height, at + 5); copy.writeUInt16BE(width, at + 7); return copy }
    at += 2 + copy.readUInt16BE(at + 2)
  }
  throw new Error('no SOF0-2 marker')
}

function withPngSize (png: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(png)
  copy.writeUInt32BE(width, 16); copy.writeUInt32BE(height, 20)
  copy.writeUInt32BE(crc32(copy.subarray(12, 29)), 29)
  return copy
}

/** Sets the logical screen and the first frame's size (GIF decoders go by the frame). */
function withGifSize (gif: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(gif)
  copy.writeUInt16LE(width, 6); copy.writeUInt16LE(height, 8)
  let at = 13 + (copy[10] & 0x80 ? 3 * 2 ** ((copy[10] & 7) + 1) : 0)
  while (copy[at] === 0x21) {
    at += 2
    while (copy[at] !== 0) at += copy[at] + 1
    at += 1
  }
  if (copy[at] !== 0x2c) throw new Error('no image descriptor')
  copy.writeUInt16LE(width, at + 5); copy.writeUInt16LE(height, at + 7)
  return copy
}

/** Deterministic bit flips (xorshift32) in the bytes after `from`. */
function flipBits (buf: Buffer, count: number, from: number, seed: number): Buffer {
  const copy = Buffer.from(buf)
  let s = seed
  for (let i = 0; i < count; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0
    const at = from + (s % (copy.length - from))
    copy[at] ^= 1 << (s >>> 29)
  }
  return copy
}

function tool (name: string, args: string[]): boolean {
  try {
    execFileSync(name, args, { stdio: 'ignore' })
    return true
  } catch {
    console.warn(`${name} not available or failed: its fixture is left as committed`)
    return false
  }
}

let copied = 0
for (const [category, files] of Object.entries(COPIES)) {
  await mkdir(join(out, category), { recursive: true })
  for (const file of files) {
    await copyFile(join(data, category, file), join(out, category, file)).then(() => copied++, () => console.warn(`missing ${category}/${file}: run npm run data`))
  }
}

const flowerPng = await readFile(join(images, 'flower.png'))
const small = sharp(flowerPng).resize(96)
const frame1 = await small.clone().png({ palette: false }).toBuffer()
const frame2 = await small.clone().negate().png({ palette: false }).toBuffer()
const grey = await small.clone().modulate({ saturation: 0 }).linear(0, 128).png({ palette: false }).toBuffer()
await put('animated', 'flower-animated.png', apng([frame1, frame2]))
await put('animated', 'flower-animated-still-fallback.png', apng([frame1, frame2], grey))
await put('animated', 'flower-animated.webp', await sharp([frame1, frame2], { join: { animated: true } }).webp({ quality: 80, loop: 0, delay: [500, 500] }).toBuffer())
await put('tiff', 'flower-2-pages.tiff', await sharp([frame1, frame2], { join: { animated: true } }).tiff({ compression: 'deflate' }).toBuffer())

const work = await mkdtemp(join(tmpdir(), 'edge-fixtures-'))
try {
  await writeFile(join(work, 'a.png'), frame1)
  await writeFile(join(work, 'b.png'), frame2)
  if (tool('avifenc', ['--speed', '8', '--min', '20', '--max', '30', '--fps', '2', join(work, 'a.png'), join(work, 'b.png'), join(work, 'anim.avif')])) {
    await put('animated', 'flower-animated.avif', await readFile(join(work, 'anim.avif')))
  }
  if (tool('jpegtran', ['-arithmetic', '-outfile', join(work, 'arith.jpg'), join(images, 'flower-tiny-16x12.jpg')])) {
    await put('jpeg_variants', 'flower-arithmetic.jpg', await readFile(join(work, 'arith.jpg')))
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
await put('jpeg_variants', 'grey-12bit.jpg', greyJpeg('12-bit'))
await put('jpeg_variants', 'gradient-lossless.jpg', greyJpeg('lossless'))

const tinyJpeg = await readFile(join(images, 'flower-tiny-16x12.jpg'))
const tinyPng = await sharp(tinyJpeg).png().toBuffer()
await put('huge_or_bomb', 'header-65500x65500.jpg', withJpegSize(tinyJpeg, 65_500, 65_500))
await put('huge_or_bomb', 'header-100000x100000.png', withPngSize(tinyPng, 100_000, 100_000))
await put('huge_or_bomb', 'header-65535x65535.gif', withGifSize(await sharp(tinyJpeg).gif().toBuffer(), 65_535, 65_535))
// 25 MP of flat colour in 2 KB: within MAX_PIXELS, and over a second of AV1 decoding: the decode-timeout case.
await put('huge_or_bomb', 'slow-5000x5000.avif', await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#7a9' } }).avif({ quality: 20, effort: 0 }).toBuffer())

await put('extreme_aspect_or_tiny', 'strip-65535x1.png', await sharp(flowerPng).resize(65_535, 1, { fit: 'fill' }).png().toBuffer())
await put('extreme_aspect_or_tiny', 'strip-1x65535.gif', await sharp(flowerPng).resize(1, 65_535, { fit: 'fill' }).gif().toBuffer())

const flowerJpeg = await readFile(join(images, 'flower.jpg'))
await put('truncated_corrupt', 'flower-bitflip-idat.png', flipBits(frame1, 8, 100, 7))
await put('truncated_corrupt', 'flower-bitflip-scan.jpg', flipBits(flowerJpeg, 16, flowerJpeg.length / 2, 11))
await put('truncated_corrupt', 'flower-truncated-header.jpg', flowerJpeg.subarray(0, 300))
await put('truncated_corrupt', 'empty.jpg', Buffer.alloc(0))

await put('other_formats', 'drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#c33"/></svg>\n')
await put('other_formats', 'document.pdf', '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
await put('other_formats', 'grey-2x2.ppm', Buffer.concat([Buffer.from('P6\n2 2\n255\n'), Buffer.alloc(12, 128)]))

console.log(`edge fixtures in ${out}: ${copied} copied from data/edge_cases, the rest made from the CC0 flower`)
