import Fastify from 'fastify'
import t from 'tap'
import config from '../../plugins/config.js'
import images from '../../plugins/images.js'
import { readFixture } from '../helper.js'

t.test('the images plugin preprocesses with the configured limits', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(config, { env: { MAX_PIXELS: '10000', DECODE_TIMEOUT_MS: '2000' } })
  await app.register(images)
  await app.ready()
  t.same(app.images.limits, { maxPixels: 10_000, decodeTimeoutMs: 2000 })
  const spec = { width: 8, height: 8, channels: 3 as const, resizeMode: 'fill' as const, normalization: { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] } }
  t.equal((await app.images.preprocess(await readFixture('images', 'flower-tiny-16x12.jpg'), spec)).pixels.length, 8 * 8 * 3)
  await t.rejects(app.images.preprocess(await readFixture('images', 'flower.jpg'), spec), { statusCode: 413, message: /over the limit of 10000 pixels/ })
})

t.test('the images plugin needs the config plugin', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(images)
  await t.rejects(async () => { await app.ready() }, /dependency 'config'/)
})
