import Fastify from 'fastify'
import t from 'tap'
import app, { options } from '../../app.js'
import { formatServerTiming } from '../../plugins/server-timing.js'
import { imageFile, readFixture } from '../helper.js'

t.test('formatServerTiming lists the measured stages in order, then the total', async t => {
  t.equal(formatServerTiming({ infer: 41.04, decode: 3.14, queue: 0.4 }, 47.2), 'decode;dur=3.1, queue;dur=0.4, infer;dur=41.0, total;dur=47.2')
  t.equal(formatServerTiming({}, 0.04), 'total;dur=0.0')
})

t.test('every response carries Server-Timing; a prediction names its stages, queue included when measured', async t => {
  const server = Fastify({ ...options, logger: false })
  await server.register(app, { env: { INFERENCE_BACKEND: 'wasm' } })
  server.get('/queued', async (request) => {
    request.timings.queue = 12.5
    request.timings.infer = 30
    return {}
  })
  t.teardown(() => server.close())

  const predicted = await server.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'flower.jpg')) })
  t.equal(predicted.statusCode, 200)
  const header = String(predicted.headers['server-timing'])
  t.match(header, /^model;desc="food\/1 4\.0\.0", decode;dur=\d+\.\d, queue;dur=\d+\.\d, infer;dur=\d+\.\d, total;dur=\d+\.\d$/, "every prediction waits in the batch queue, so queue is always named")
  const durations = Object.fromEntries(header.split(', ').slice(1).map(entry => [entry.split(';')[0], Number(entry.split('dur=')[1])]))
  t.ok(durations.infer > 0)
  t.ok(durations.total >= durations.decode + durations.infer - 0.3, 'the total covers the stages')

  t.equal((await server.inject('/queued')).headers['server-timing']?.toString().replace(/total;dur=[\d.]+/, 'total'), 'queue;dur=12.5, infer;dur=30.0, total')
  t.match((await server.inject('/')).headers['server-timing'], /^total;dur=\d+\.\d$/)
  t.match((await server.inject('/nowhere')).headers['server-timing'], /^total;dur=\d+\.\d$/, 'errors too')
})
