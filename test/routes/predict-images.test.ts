import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

const edge = (category: string, file: string) => readFixture('edge', category, file)
const raw = (payload: Buffer) => ({ method: 'POST' as const, url: '/predict', headers: { 'content-type': 'application/octet-stream' }, payload })

t.test('odd images through POST /predict: refusals name the format, answers list what was done', async t => {
  const app = await build(t)
  const refusals: Array<[Buffer, number, string, RegExp]> = [
    [await readFixture('images', 'flower.heic'), 415, 'UNSUPPORTED_MEDIA_TYPE', /^HEIC\/HEIF images are not supported: .*HEVC/],
    [await edge('jpeg_variants', 'grey-12bit.jpg'), 415, 'UNSUPPORTED_MEDIA_TYPE', /^12-bit JPEG images are not supported/],
    [await edge('other_formats', 'afl_-doc__not_kitty.jp2'), 415, 'UNSUPPORTED_MEDIA_TYPE', /^JPEG 2000 images are not supported/],
    [await edge('huge_or_bomb', 'header-100000x100000.png'), 413, 'TOO_MANY_PIXELS', /100000x100000 .* over the limit of 50000000 pixels \(MAX_PIXELS\)/],
    [await edge('truncated_corrupt', 'flower-bitflip-idat.png'), 422, 'UNDECODABLE_IMAGE', /^The PNG image could not be decoded: /],
    [await readFixture('images', 'flower-truncated.jpg'), 422, 'UNDECODABLE_IMAGE', /^The JPEG image could not be decoded: VipsJpeg: premature end of JPEG image$/]
  ]
  for (const [payload, status, code, message] of refusals) {
    const res = await app.inject(raw(payload))
    t.equal(res.statusCode, status, String(message))
    t.match(res.json(), { statusCode: status, code, message })
  }
  const answers: Array<[Buffer, string[]]> = [
    [await edge('animated', 'flower-animated.avif'), ['alpha flattened onto white', 'animated: first of 2 frames used', 'upscaled from 96x64']],
    [await edge('exif_orientation', 'golang-github-disintegration-imaging-dev__orientation_7.jpg'), ['rotated: EXIF orientation 7 applied', 'upscaled from 50x70']],
    // the default model resizes with fill (stretched, nothing cropped); cropping is tested on a cover spec in test/services/image/decode.test.ts
    [await edge('extreme_aspect_or_tiny', 'strip-65535x1.png'), ['upscaled from 65535x1']]
  ]
  for (const [payload, warnings] of answers) {
    const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(payload, 'upload.bin', 'application/octet-stream') })
    t.equal(res.statusCode, 200)
    t.same(res.json().warnings, warnings)
  }
})

t.test('a decode over DECODE_TIMEOUT_MS is a 422 in time, and the next request is served', async t => {
  const app = await build(t, { DECODE_TIMEOUT_MS: '100' })
  const started = performance.now()
  const res = await app.inject(raw(await edge('huge_or_bomb', 'slow-5000x5000.avif')))
  const ms = performance.now() - started
  t.equal(res.statusCode, 422)
  t.same(res.json(), { statusCode: 422, error: 'Unprocessable Entity', code: 'DECODE_TIMEOUT', message: 'Decoding the image took longer than 100 ms (DECODE_TIMEOUT_MS) and was stopped.' })
  t.ok(ms < 500, `answered in ${ms.toFixed(0)} ms`)
  const next = await app.inject(raw(await readFixture('images', 'flower.jpg')))
  t.equal(next.statusCode, 200, 'a small image right after is served')
})
