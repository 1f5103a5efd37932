import t from 'tap'
import sharp from 'sharp'
import { createImagePreprocessor, decodeAndResize, preprocessImage } from '../../../services/image/decode.js'
import type { InputSpec } from '../../../services/image/pixels.js'
import { probeImage } from '../../../services/image/probe.js'
import { readFixture } from '../../helper.js'

const spec: InputSpec = {
  width: 64, height: 48, channels: 3, resizeMode: 'cover',
  normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }
}

t.test('unsupported and unrecognised files are 415, broken ones 422', async t => {
  await t.rejects(probeImage(await readFixture('images', 'flower.heic')), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /HEIC\/HEIF images are not supported: .*HEVC/ })
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
  t.match(await warnings('flower-animated.gif'), ['alpha flattened onto white', 'animated: first of 2 frames used'])
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

t.test('preprocessing gives the model-sized 8-bit pixels and how long the decode took', async t => {
  const pre = await preprocessImage(await readFixture('images', 'flower.jpg'), spec)
  t.ok(pre.pixels instanceof Uint8Array)
  t.equal(pre.pixels.length, 64 * 48 * 3)
  t.same(pre.pixels, (await decodeAndResize(await readFixture('images', 'flower.jpg'), spec)).pixels, 'the same pixels as the decoder gives')
  t.ok(pre.timings.decode > 0)
})

// What the model sees: 224x224, cropped to cover, as the shipped model's manifest says.
const model: InputSpec = { ...spec, width: 224, height: 224 }
const edge = (category: string, file: string) => readFixture('edge', category, file)
const pixelsOf = async (buf: Buffer, at: InputSpec = model) => (await decodeAndResize(buf, at)).pixels
const meanAbsDiff = (a: Uint8Array, b: Uint8Array): number => {
  let d = 0
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i])
  return d / a.length
}
/** Share of pixels on different sides of mid-grey: for black-on-white drawings, where resampling blurs only the edges. */
const inkMismatch = (a: Uint8Array, b: Uint8Array): number => {
  let n = 0
  for (let i = 0; i < a.length; i += 3) if ((a[i] + a[i + 1] + a[i + 2] > 384) !== (b[i] + b[i + 1] + b[i + 2] > 384)) n++
  return n / (a.length / 3)
}

t.test('the EXIF orientation series (1-8) decodes to the same upright pixels', async t => {
  const series = {
    imaging: (n: number) => edge('exif_orientation', `golang-github-disintegration-imaging-dev__orientation_${n}.jpg`),
    goexif: (n: number) => edge('exif_orientation', `golang-github-rwcarlsen-goexif-dev__f${n}-exif.jpg`)
  }
  for (const [name, file] of Object.entries(series)) {
    const upright = await pixelsOf(await file(1))
    for (let n = 2; n <= 8; n++) {
      const pixels = await pixelsOf(await file(n))
      const mismatch = inkMismatch(pixels, upright)
      t.ok(mismatch < 0.02, `${name} orientation ${n}: ${(mismatch * 100).toFixed(2)}% of pixels differ from orientation 1 (edge resampling only)`)
    }
    // The same files without the EXIF transform applied are far apart: the check above can fail.
    const stored = await sharp(await file(6)).resize(224, 224, { fit: 'cover' }).removeAlpha().raw().toBuffer()
    t.ok(inkMismatch(stored, upright) > 0.1, `${name} orientation 6 as stored differs from upright by ${(inkMismatch(stored, upright) * 100).toFixed(0)}%`)
  }
  t.same((await decodeAndResize(await series.imaging(0), model)).warnings, ['upscaled from 50x70'], 'no tag: nothing rotated')
})

t.test('CMYK, greyscale and 16-bit images decode to sensible RGB, close to their 8-bit RGB versions', async t => {
  const rgb = await pixelsOf(await edge('tiff', 'golang-golang-x-image-dev__video-001-tile-64x64.tiff'))
  const grey8 = await pixelsOf(await edge('tiff', 'golang-golang-x-image-dev__video-001-gray.tiff'))
  const grey16 = await pixelsOf(await edge('grayscale', 'golang-golang-x-image-dev__video-001-gray-16bit.tiff'))
  const rgb16 = await pixelsOf(await edge('tiff', 'golang-golang-x-image-dev__video-001-16bit.tiff'))
  const cmyk = await pixelsOf(await edge('cmyk_jpeg', 'golang-1.19-src__video-001.cmyk.jpeg'))
  const jpeg = await pixelsOf(await edge('jpeg_variants', 'golang-1.19-src__video-001.rgb.jpeg'))
  t.ok(meanAbsDiff(rgb16, rgb) < 1, `16-bit RGB TIFF vs 8-bit: ${meanAbsDiff(rgb16, rgb).toFixed(2)}`)
  t.ok(meanAbsDiff(grey16, grey8) < 1, `16-bit grey TIFF vs 8-bit grey: ${meanAbsDiff(grey16, grey8).toFixed(2)}`)
  for (const [name, pixels] of [['8-bit grey', grey8], ['16-bit grey', grey16], ['grey JPEG', await pixelsOf(await edge('grayscale', 'golang-1.19-src__video-005.gray.jpeg'))]] as const) {
    let coloured = 0
    for (let i = 0; i < pixels.length; i += 3) if (pixels[i] !== pixels[i + 1] || pixels[i] !== pixels[i + 2]) coloured++
    t.equal(coloured, 0, `${name}: R = G = B everywhere`)
  }
  t.ok(meanAbsDiff(jpeg, rgb) < 8, `the RGB JPEG of the same frame: ${meanAbsDiff(jpeg, rgb).toFixed(2)}`)
  // An unprofiled CMYK file has no single right RGB: libvips applies a press profile. Same picture, same tones order.
  const luma = (p: Uint8Array) => Array.from({ length: p.length / 3 }, (_, i) => 0.299 * p[3 * i] + 0.587 * p[3 * i + 1] + 0.114 * p[3 * i + 2])
  const [x, y] = [luma(cmyk), luma(rgb)]
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length
  const [mx, my] = [mean(x), mean(y)]
  let sxy = 0; let sxx = 0; let syy = 0
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2 }
  const r = sxy / Math.sqrt(sxx * syy)
  t.ok(r > 0.95, `CMYK JPEG vs RGB: luminance correlation ${r.toFixed(3)} (an inverted or garbled conversion is far lower)`)
  t.ok(meanAbsDiff(cmyk, rgb) < 35, `CMYK JPEG vs RGB: mean difference ${meanAbsDiff(cmyk, rgb).toFixed(1)}`)
  t.ok(meanAbsDiff(await pixelsOf(await readFixture('images', 'flower-cmyk.jpg')), await pixelsOf(await readFixture('images', 'flower.png'))) < 12, 'CMYK flower made with the same profile: close')
})

t.test('animations and multi-page files decode their first frame or page', async t => {
  const flower = await readFixture('images', 'flower.png')
  const frame1 = await pixelsOf(await sharp(flower).resize(96).png().toBuffer())
  const frame2 = await pixelsOf(await sharp(flower).resize(96).negate().png().toBuffer())
  const cases: Array<[string, string, string]> = [
    ['animated', 'flower-animated.png', 'animated: first of 2 frames used'],
    ['animated', 'flower-animated.webp', 'animated: first of 2 frames used'],
    ['animated', 'flower-animated.avif', 'animated: first of 2 frames used'],
    ['tiff', 'flower-2-pages.tiff', 'multi-page: first of 2 pages used']
  ]
  for (const [category, file, warning] of cases) {
    const { pixels, warnings } = await decodeAndResize(await edge(category, file), model)
    t.ok(meanAbsDiff(pixels, frame1) < 10, `${file}: ${meanAbsDiff(pixels, frame1).toFixed(1)} from frame 1`)
    t.ok(meanAbsDiff(pixels, frame2) > 60, `${file}: ${meanAbsDiff(pixels, frame2).toFixed(1)} from frame 2, its negative`)
    t.ok(warnings.includes(warning), `${file}: ${warning}`)
  }
  const fallback = await decodeAndResize(await edge('animated', 'flower-animated-still-fallback.png'), model)
  t.ok(fallback.pixels.every(v => Math.abs(v - 128) <= 2), 'an APNG whose default image is outside the animation: that grey still is what libvips decodes')
  t.ok(fallback.warnings.includes('animated: the still default image used, not the 2 animation frames'), 'and the warning says so')
})

t.test('JPEG coding processes: arithmetic and lossless decode, 12-bit is refused by name', async t => {
  t.equal(meanAbsDiff(await pixelsOf(await edge('jpeg_variants', 'flower-arithmetic.jpg')), await pixelsOf(await readFixture('images', 'flower-tiny-16x12.jpg'))), 0,
    'the arithmetic-coded transcode decodes to exactly the Huffman-coded pixels')
  const lossless = await pixelsOf(await edge('jpeg_variants', 'gradient-lossless.jpg'), { ...spec, width: 8, height: 8, resizeMode: 'fill' })
  t.same([...lossless.subarray(0, 24)], [128, 129, 130, 131, 132, 133, 134, 135].flatMap(v => [v, v, v]), 'lossless: the first row exactly 128..135')
  await t.rejects(decodeAndResize(await edge('jpeg_variants', 'grey-12bit.jpg'), model), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /^12-bit JPEG images are not supported/ })
  await t.rejects(sharp(await edge('jpeg_variants', 'grey-12bit.jpg')).raw().toBuffer(), /precision 12/, 'because sharp cannot decode it: a 415 rather than a 422')
})

t.test('what was done to odd images is reported', async t => {
  const warnings = async (category: string, file: string) => (await decodeAndResize(await edge(category, file), model)).warnings
  t.same(await warnings('extreme_aspect_or_tiny', 'strip-65535x1.png'), ['upscaled from 65535x1', 'cropped: only the centre 0.0015% of the width used'])
  t.same(await warnings('extreme_aspect_or_tiny', 'strip-1x65535.gif'), ['upscaled from 1x65535', 'cropped: only the centre 0.0015% of the height used'])
  t.same(await warnings('other_formats', 'golang-1.19-src__basn4a16.png'), ['alpha flattened onto white', 'converted from greyscale', 'converted from 16-bit samples', 'upscaled from 32x32'])
  t.same(await warnings('cmyk_jpeg', 'golang-1.19-src__video-001.cmyk.jpeg'), ['converted from CMYK', 'upscaled from 150x103'])
  t.same(await warnings('exif_orientation', 'golang-github-rwcarlsen-goexif-dev__f8-exif.jpg'), ['rotated: EXIF orientation 8 applied', 'upscaled from 40x80'])
  t.same(await warnings('animated', 'golang-github-gabriel-vasile-mimetype-dev__apng.png'), ['alpha flattened onto white', 'animated: first of 20 frames used', 'upscaled from 100x100'])
  const strip = await pixelsOf(await edge('extreme_aspect_or_tiny', 'strip-65535x1.png'))
  t.equal(strip.length, 224 * 224 * 3, 'a 65535x1 strip still gives a 224x224 input')
})

t.test('absurd headers are refused from the header, in milliseconds, with the limit in the message', async t => {
  const bombs: Array<[Buffer, string]> = [
    [await edge('huge_or_bomb', 'header-65500x65500.jpg'), '65500x65500 (4290250000 pixels)'],
    [await edge('huge_or_bomb', 'header-100000x100000.png'), '100000x100000 (10000000000 pixels)'],
    [await edge('huge_or_bomb', 'header-65535x65535.gif'), '65535x65535 (4294836225 pixels)']
  ]
  const avif = Buffer.from(await readFixture('images', 'flower.avif'))
  avif.writeUInt32BE(0x7fffffff, avif.indexOf('ispe') + 12)
  bombs.push([avif, '480x2147483647 (1030792150560 pixels)'])
  for (const [buf, size] of bombs) {
    const started = performance.now()
    await t.rejects(decodeAndResize(buf, model), { statusCode: 413, code: 'TOO_MANY_PIXELS', message: `The image is ${size}, over the limit of 50000000 pixels (MAX_PIXELS).` })
    t.ok(performance.now() - started < 200, `${size}: refused in ${(performance.now() - started).toFixed(0)} ms`)
  }
})

t.test('a decode that runs too long is cut off at DECODE_TIMEOUT_MS', async t => {
  const slow = await edge('huge_or_bomb', 'slow-5000x5000.avif')
  const started = performance.now()
  await t.rejects(decodeAndResize(slow, model, { maxPixels: 50_000_000, decodeTimeoutMs: 100 }),
    { statusCode: 422, code: 'DECODE_TIMEOUT', message: 'Decoding the image took longer than 100 ms (DECODE_TIMEOUT_MS) and was stopped.' })
  const answeredIn = performance.now() - started
  t.ok(answeredIn < 400, `answered in ${answeredIn.toFixed(0)} ms`)
  // The abandoned libvips work ends on its own (AV1 is decoded in one block, then the pipeline is killed or done).
  const drained = performance.now()
  while (sharp.counters().process > 0 && performance.now() - drained < 20_000) await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(sharp.counters().process, 0, `libvips idle again ${(performance.now() - drained).toFixed(0)} ms later`)
  const full = performance.now()
  t.equal((await pixelsOf(slow)).length, 224 * 224 * 3, 'with the default 10 s the same image decodes')
  t.ok(performance.now() - full > 100, `in ${(performance.now() - full).toFixed(0)} ms, more than the 100 ms allowed above`)
})

t.test('the service preprocessor keeps no libvips operation cache', async t => {
  sharp.cache(true)
  createImagePreprocessor({ maxPixels: 1000, decodeTimeoutMs: 1000 })
  t.match(sharp.cache(), { memory: { max: 0 }, items: { max: 0 }, files: { max: 0 } })
})

t.test('a 12 MP phone JPEG is shrunk while it is decoded (libvips JPEG shrink-on-load), portrait EXIF included', async t => {
  const spec: InputSpec = { width: 224, height: 224, channels: 3, resizeMode: 'cover', normalization: { mean: [0, 0, 0], std: [1, 1, 1] } }
  const photo = await readFixture('photos/food/qtdeclarative__pancakes.jpg')
  const large = await sharp(photo).resize(4032, 3024, { fit: 'cover' }).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer()
  const cpuMs = async (work: () => Promise<unknown>): Promise<number> => {
    const before = process.cpuUsage()
    for (let i = 0; i < 3; i++) await work()
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000 / 3
  }
  const full = async (): Promise<void> => {
    const { data, info } = await sharp(large).autoOrient().raw().toBuffer({ resolveWithObject: true })
    await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).resize(224, 224, { fit: 'cover' }).raw().toBuffer()
  }
  // In turns, so that another load on the machine weighs on both alike; CPU time, not wall time.
  const service = [await cpuMs(() => preprocessImage(large, spec)), 0]
  const fullDecode = await cpuMs(full)
  service[1] = await cpuMs(() => preprocessImage(large, spec))
  const serviceMs = Math.min(...service)
  t.ok(serviceMs < fullDecode * 0.6, `the service's decode ${serviceMs.toFixed(0)} ms of CPU, a full-size decode then resize ${fullDecode.toFixed(0)} ms`)
  const { pixels, warnings } = await preprocessImage(large, spec)
  t.equal(pixels.length, 224 * 224 * 3)
  t.same(warnings, ['rotated: EXIF orientation 6 applied'])
})
