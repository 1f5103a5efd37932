import t from 'tap'
import sharp from 'sharp'
import { renderView, whiteBackgroundMask, whiteBorderFraction } from '../../../scripts/train/augment.js'
import { decodeAndResize } from '../../../services/image/decode.js'
import type { InputSpec } from '../../../services/image/pixels.js'

const spec: InputSpec = { width: 64, height: 64, channels: 3, resizeMode: 'cover', normalization: { mean: [0, 0, 0], std: [255, 255, 255] } }

async function redSquareOnWhite (): Promise<Buffer> {
  const w = 120; const h = 80
  const data = Buffer.alloc(w * h * 3, 255)
  for (let y = 20; y < 60; y++) for (let x = 40; x < 80; x++) { const i = (y * w + x) * 3; data[i] = 200; data[i + 1] = 30; data[i + 2] = 30 }
  return await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer()
}

t.test('view 0 is exactly the service preprocessing', async t => {
  const buf = await redSquareOnWhite()
  const v0 = await renderView(buf, 'x.png', 0, spec)
  const svc = await decodeAndResize(buf, spec)
  t.ok(v0.pixels.equals(svc.pixels))
  t.same(v0.applied, [])
})

t.test('augmented views are deterministic, sized for the model, and differ from the original', async t => {
  const buf = await redSquareOnWhite()
  const a = await renderView(buf, 'x.png', 1, spec)
  const b = await renderView(buf, 'x.png', 1, spec)
  const c = await renderView(buf, 'x.png', 2, spec)
  t.equal(a.pixels.length, 64 * 64 * 3)
  t.ok(a.pixels.equals(b.pixels), 'same seed, same pixels')
  t.notOk(a.pixels.equals(c.pixels), 'other view, other pixels')
})

t.test('white background detection and mask', async t => {
  const { data, info } = await sharp(await redSquareOnWhite()).raw().toBuffer({ resolveWithObject: true })
  const raw = { data, width: info.width, height: info.height }
  t.equal(whiteBorderFraction(raw), 1)
  const mask = whiteBackgroundMask(raw)
  t.equal(mask[0], 1)
  t.equal(mask[40 * 120 + 60], 0, 'the object is not background')
  t.equal(mask.reduce((s, v) => s + v, 0), 120 * 80 - 40 * 40)
})
