import t from 'tap'
import sharp from 'sharp'
import { decodeAndResize, normalizePixels, preprocessImage, probeImage, sniffFormat, type InputSpec } from '../../services/image.js'
import { ServiceError } from '../../services/errors.js'
import { readFixture } from '../helper.js'

const spec: InputSpec = {
  width: 64, height: 48, channels: 3, resizeMode: 'cover',
  normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }
}

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
  const info = await probeImage(await readFixture('images', 'flower-exif-orientation-6.jpg'))
  t.match(info, { format: 'jpeg', width: 480, height: 320, orientation: 6 }, 'dimensions are those of the upright image')
  const started = process.hrtime.bigint()
  const err = await probeImage(await readFixture('images', 'bomb-10000x10000.png')).catch(e => e) as ServiceError
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  t.match(err, { statusCode: 413, code: 'TOO_MANY_PIXELS', message: /10000x10000 \(100000000 pixels\), over the limit of 50000000 pixels/ })
  t.ok(ms < 500, `refused in ${ms.toFixed(0)} ms, before decoding 100 MP`)
  await t.rejects(probeImage(await readFixture('images', 'flower.jpg'), { maxPixels: 1000, decodeTimeoutMs: 1000 }), { statusCode: 413, message: /over the limit of 1000 pixels/ })
})

t.test('unsupported and unrecognised files are 415, broken ones 422', async t => {
  await t.rejects(probeImage(await readFixture('images', 'flower.heic')), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /HEIC images are not supported/ })
  await t.rejects(probeImage(await readFixture('images', 'not-an-image.txt')), { statusCode: 415, message: /not an image in a supported format/ })
  await t.rejects(decodeAndResize(await readFixture('images', 'flower-truncated.jpg'), spec), { statusCode: 422, code: 'UNDECODABLE_IMAGE', message: /JPEG image could not be decoded/ })
  const corruptPng = Buffer.from(await readFixture('images', 'flower.png'))
  corruptPng.fill(0, 100, 4000)
  await t.rejects(decodeAndResize(corruptPng, spec), { statusCode: 422, code: 'UNDECODABLE_IMAGE' })
})

t.test('every supported format decodes to the same picture at the input size', async t => {
  const reference = (await decodeAndResize(await readFixture('images', 'flower.png'), spec)).pixels
  for (const file of ['flower.jpg', 'flower-progressive.jpg', 'flower.webp', 'flower.avif', 'flower.tiff', 'flower-cmyk.jpg', 'flower-16bit.png', 'flower-exif-orientation-6.jpg', 'flower-animated.gif']) {
    const { pixels } = await decodeAndResize(await readFixture('images', file), spec)
    t.equal(pixels.length, 64 * 48 * 3, `${file}: 64x48 RGB`)
    let diff = 0
    for (let i = 0; i < pixels.length; i++) diff += Math.abs(pixels[i] - reference[i])
    t.ok(diff / pixels.length < 12, `${file}: mean abs difference to the PNG ${(diff / pixels.length).toFixed(1)} < 12`)
  }
})

t.test('what was done to the image is reported', async t => {
  const warnings = async (file: string) => (await decodeAndResize(await readFixture('images', file), spec)).warnings
  t.same(await warnings('flower.jpg'), [])
  t.same(await warnings('flower-exif-orientation-6.jpg'), ['rotated: EXIF orientation 6 applied'])
  t.same(await warnings('flower-cmyk.jpg'), ['converted from CMYK'])
  t.same(await warnings('flower-grey.jpg'), ['converted from greyscale'])
  t.same(await warnings('flower-16bit.png'), ['converted from 16-bit samples'])
  t.same(await warnings('flower-alpha.png'), ['alpha flattened onto white'])
  t.match(await warnings('flower-animated.gif'), ['alpha flattened onto white', 'animated or multi-page: first of 2 frames used'])
  t.same(await warnings('flower-tiny-16x12.jpg'), ['upscaled from 16x12'])
})

t.test('alpha is flattened onto white, and the first frame of an animation is used', async t => {
  const transparent = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer()
  const { pixels } = await decodeAndResize(transparent, { ...spec, width: 8, height: 8 })
  t.ok(pixels.every(v => v === 255), 'fully transparent black becomes white')
  // The second frame of the fixture is the negative of the first: the first frame must be the flower's colours.
  const gif = await decodeAndResize(await readFixture('images', 'flower-animated.gif'), spec)
  const png = await decodeAndResize(await readFixture('images', 'flower.png'), spec)
  let diff = 0
  for (let i = 0; i < gif.pixels.length; i++) diff += Math.abs(gif.pixels[i] - png.pixels[i])
  t.ok(diff / gif.pixels.length < 12, 'first frame, not the negative second one')
})

t.test('normalisation follows the manifest', async t => {
  const out = normalizePixels(Uint8Array.from([0, 127.5, 255, 255, 0, 51]), { ...spec, normalization: { mean: [0, 0, 0], std: [255, 255, 255] } })
  t.same([...out].map(v => +v.toFixed(3)), [0, 0.498, 1, 1, 0, 0.2])
  const pre = await preprocessImage(await readFixture('images', 'flower.jpg'), spec)
  t.equal(pre.data.length, 64 * 48 * 3)
  t.ok(pre.data.every(v => v >= -1 && v <= 1), 'values in [-1, 1] for mean = std = 127.5')
})
