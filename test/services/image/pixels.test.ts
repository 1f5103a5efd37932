import t from 'tap'
import { normalizePixels } from '../../../services/image/pixels.js'
import { decodeAndResize } from '../../../services/image/decode.js'
import type { InputSpec } from '../../../services/image/pixels.js'
import { readFixture } from '../../helper.js'

const spec: InputSpec = { width: 64, height: 48, channels: 3, resizeMode: 'cover', normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] } }

t.test('normalisation follows the manifest, per channel', async t => {
  const out = normalizePixels(Uint8Array.from([0, 128, 255, 255, 0, 51]), { ...spec, normalization: { mean: [0, 0, 0], std: [255, 255, 255] } })
  t.same([...out].map(v => +v.toFixed(3)), [0, 0.502, 1, 1, 0, 0.2])
  const perChannel = normalizePixels(Uint8Array.from([10, 20, 30]), { ...spec, normalization: { mean: [10, 10, 10], std: [1, 2, 4] } })
  t.same([...perChannel], [0, 5, 5])
})

t.test('a real photo lands in [-1, 1] for mean = std = 127.5, written into the buffer given', async t => {
  const { pixels } = await decodeAndResize(await readFixture('images', 'flower.jpg'), spec)
  const buffer = new Float32Array(pixels.length * 2)
  const out = normalizePixels(pixels, spec, buffer.subarray(pixels.length))
  t.equal(out.buffer, buffer.buffer, 'no new array when one is given')
  t.ok(out.every(v => v >= -1 && v <= 1))
  t.ok(out.some(v => v < -0.5) && out.some(v => v > 0.5), 'and spans the range')
  t.ok(buffer.subarray(0, pixels.length).every(v => v === 0), 'the rest of the buffer untouched')
})
