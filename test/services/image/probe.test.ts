import t from 'tap'
import sharp from 'sharp'
import { REFUSED_FORMATS, SUPPORTED_FORMATS, describeFormats, probeImage, sniffFormat } from '../../../services/image/probe.js'
import type { ServiceError } from '../../../services/common/errors.js'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fixturesDir, readFixture } from '../../helper.js'

const edge = (category: string, file: string) => readFixture('edge', category, file)

t.test('formats are told from the bytes', async t => {
  const cases: Array<[string, string | undefined]> = [
    ['flower.jpg', 'jpeg'], ['flower-progressive.jpg', 'jpeg'], ['flower.png', 'png'], ['flower-animated.gif', 'gif'],
    ['flower.webp', 'webp'], ['flower.avif', 'avif'], ['flower.heic', 'heic'], ['flower.tiff', 'tiff'], ['not-an-image.txt', undefined]
  ]
  for (const [file, format] of cases) t.equal(sniffFormat(await readFixture('images', file)), format, file)
  t.equal(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>')), 'svg')
  t.equal(sniffFormat(Buffer.from('%PDF-1.7 and more bytes')), 'pdf')
  t.equal(sniffFormat(Buffer.alloc(4)), undefined, 'too short to be anything')
})

t.test('the header is read without decoding, and oversized images are refused from it', async t => {
  const { info } = await probeImage(await readFixture('images', 'flower-exif-orientation-6.jpg'))
  t.match(info, { format: 'jpeg', width: 480, height: 320, orientation: 6 }, 'dimensions are those of the upright image')
  const started = process.hrtime.bigint()
  const err = await probeImage(await readFixture('images', 'bomb-10000x10000.png')).catch(e => e) as ServiceError
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  t.match(err, { statusCode: 413, code: 'TOO_MANY_PIXELS', message: /10000x10000 \(100000000 pixels\), over the limit of 50000000 pixels/ })
  t.ok(ms < 500, `refused in ${ms.toFixed(0)} ms, before decoding 100 MP`)
  await t.rejects(probeImage(await readFixture('images', 'flower.jpg'), { maxPixels: 1000, decodeTimeoutMs: 1000 }), { statusCode: 413, message: /over the limit of 1000 pixels/ })
})

/** libvips's own reading of a header, in the fields probeImage reports. */
async function libvipsReading (buf: Buffer): Promise<Record<string, unknown>> {
  const m = await sharp(buf, { limitInputPixels: false }).metadata()
  return { width: m.autoOrient.width, height: m.autoOrient.height, orientation: m.orientation ?? 1, space: m.space, channels: m.channels, hasAlpha: m.hasAlpha, depth: m.depth, pages: m.pages ?? 1 }
}

/** A copy of a JPEG with an Exif segment right after SOI whose IFD0 holds one Orientation entry of the given TIFF type. */
function withExifOrientation (jpeg: Buffer, type: number, value: number): Buffer {
  const tiff = Buffer.alloc(26)
  tiff.write('II', 0, 'latin1'); tiff.writeUInt16LE(42, 2); tiff.writeUInt32LE(8, 4) // header, IFD0 at 8
  tiff.writeUInt16LE(1, 8) // one entry
  tiff.writeUInt16LE(0x0112, 10); tiff.writeUInt16LE(type, 12); tiff.writeUInt32LE(1, 14)
  if (type === 4 || type === 9) tiff.writeUInt32LE(value, 18); else tiff.writeUInt16LE(value, 18)
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const segment = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body])
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)])
}

t.test('JPEG headers are read without libvips, and read as libvips reads them', async t => {
  const jpegs: Array<[string, Buffer]> = []
  for (const file of await readdir(fixturesDir, { recursive: true })) {
    const buf = await readFile(join(fixturesDir, file)).catch(() => undefined)
    if (buf !== undefined && sniffFormat(buf) === 'jpeg') jpegs.push([file, buf])
  }
  const flower = await readFixture('images', 'flower.jpg')
  // orientation stored as SHORT, LONG and SLONG (gdk-pixbuf's test photo for bug 725582 uses SLONG), and out of range
  for (const [type, value] of [[3, 6], [4, 8], [9, 6], [3, 0], [3, 9], [5, 6]]) jpegs.push([`flower.jpg, Orientation type ${type} = ${value}`, withExifOrientation(flower, type, value)])
  t.ok(jpegs.length > 40, `${jpegs.length} JPEGs`)
  let compared = 0
  for (const [name, buf] of jpegs) {
    const ours = (await probeImage(buf).catch(() => undefined))?.info
    const theirs = await libvipsReading(buf).catch(() => undefined)
    if (ours === undefined) continue // refused (415, 413, 422) before or by libvips: covered by the corpus expectations
    compared++
    t.same({ width: ours.width, height: ours.height, orientation: ours.orientation, space: ours.space, channels: ours.channels, hasAlpha: ours.hasAlpha, depth: ours.depth, pages: ours.pages }, theirs, name)
  }
  t.ok(compared > 30, `${compared} compared`)
  t.match((await probeImage(withExifOrientation(flower, 9, 6))).info, { width: 320, height: 480, orientation: 6 }, 'SLONG orientation turns the size')
})

t.test('the supported formats are what this sharp build decodes; the refused ones are named with the reason', async t => {
  const loader: Record<string, keyof typeof sharp.format> = { jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', avif: 'heif', tiff: 'tiff' }
  for (const format of SUPPORTED_FORMATS) t.ok(sharp.format[loader[format]].input.buffer, `${format}: sharp decodes it from a buffer`)
  for (const format of ['jp2', 'jxl', 'magick', 'ppm', 'pdf'] as const) t.notOk(sharp.format[format].input.buffer, `${format}: no loader in this build (JPEG 2000, JPEG XL, BMP/ICO/PSD, PNM, PDF)`)
  t.ok(sharp.format.svg.input.buffer, 'SVG could be rendered, and is refused on purpose')
  await t.rejects(sharp(await readFixture('images', 'flower.heic')).raw().toBuffer(), /HEVC/, 'HEIC: libheif has no HEVC decoder in this build')
  const refusals: Array<[Buffer, RegExp]> = [
    [await readFixture('images', 'flower.heic'), /^HEIC\/HEIF images are not supported: .*HEVC.*Most Compatible/],
    [await edge('other_formats', 'afl_-doc__not_kitty.jp2'), /^JPEG 2000 images are not supported: .*no decoder/],
    [await edge('other_formats', 'libsdl2-image-tests__sample.jxl'), /^JPEG XL images are not supported/],
    [await edge('other_formats', 'libsdl2-image-tests__sample.bmp'), /^BMP images are not supported/],
    [await edge('other_formats', 'libsdl2-image-tests__sample.ico'), /^ICO images are not supported/],
    [await edge('other_formats', 'grey-2x2.ppm'), /^PNM \(PPM\/PGM\/PBM\) images are not supported/],
    [await edge('other_formats', 'drawing.svg'), /^SVG images are not supported: vector drawings are not rendered/],
    [await edge('other_formats', 'document.pdf'), /^PDF images are not supported: documents are not rendered/]
  ]
  for (const [buf, message] of refusals) {
    await t.rejects(probeImage(buf), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message }, String(message))
    await t.rejects(probeImage(buf), { message: /\(supported: JPEG, PNG, GIF, WebP, AVIF, TIFF\)\.$/ })
  }
  t.same(Object.keys(REFUSED_FORMATS).sort(), ['bmp', 'heic', 'icns', 'ico', 'jp2', 'jxl', 'pdf', 'pnm', 'psd', 'qoi', 'svg', 'xpm'])
  t.match(describeFormats(), /^Supported formats: JPEG, PNG, GIF, WebP, AVIF, TIFF .*Refused with 415: HEIC\/HEIF \(HEVC\), 12-bit and hierarchical JPEG, JPEG 2000, JPEG XL, BMP/)
})

t.test('sniffing: damaged JPEGs are JPEGs, TGA is not ICO, AVIF sequences are AVIF', async t => {
  t.equal(sniffFormat(Buffer.from([0xff, 0xd8, 0x00, 0x09, 0xff, 0xe1, 0, 0x39, 0x45, 0x78, 0x69, 0x66])), 'jpeg', 'SOI then a damaged marker')
  t.equal(sniffFormat(await edge('animated', 'flower-animated.avif')), 'avif')
  const tga = Buffer.concat([Buffer.from([0, 0, 1, 0, 0, 0xd4, 0, 0x20, 0, 0, 0, 0]), Buffer.alloc(100)])
  t.equal(sniffFormat(tga), undefined, 'a colour-mapped TGA whose directory count cannot fit is not an ICO')
  t.equal(sniffFormat(await edge('other_formats', 'libsdl2-image-tests__sample.ico')), 'ico')
  t.equal(sniffFormat(Buffer.from('P6\n2 2\n255\n0123456789ab')), 'pnm')
  t.equal(sniffFormat(Buffer.from('/* XPM */\nstatic char *x[] = {')), 'xpm')
  t.equal(sniffFormat(Buffer.from('qoif\0\0\0\x10\0\0\0\x10\x03\x00')), 'qoi')
  const noStill = Buffer.from(await edge('animated', 'flower-animated.avif'))
  noStill.write('xxxx', 16, 'latin1') // the compatible brand 'avif'
  await t.rejects(probeImage(noStill), { statusCode: 415, message: /^AVIF image sequences without a still image are not supported/ })
})
