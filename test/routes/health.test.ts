import t from 'tap'
import { build } from '../helper.js'

t.test('health, readiness and the Open Inference Protocol aliases, ready then draining', async t => {
  const app = await build(t)

  const live = await app.inject('/health/live')
  t.equal(live.statusCode, 200)
  t.match(live.json(), { status: 'live', uptimeSeconds: Number })

  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.match(ready.json(), { status: 'ready', ready: true, models: [{ name: 'food', version: /^\d+\.\d+\.\d+/ }], backend: 'wasm' })
  t.ok(Date.parse(ready.json().since) <= Date.now())
  t.not(ready.headers.connection, 'close', 'a ready instance keeps connections alive')

  t.equal((await app.inject('/v2/health/live')).statusCode, 200)
  t.same((await app.inject('/v2/health/live')).json(), { live: true })
  t.same((await app.inject('/v2/health/ready')).json(), { ready: true })
  const model = await app.inject('/v2/models/food/ready')
  t.equal(model.statusCode, 200)
  t.same(model.json(), { name: 'food', ready: true })

  const unknown = await app.inject('/v2/models/dogs/ready')
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json(), { statusCode: 404, error: "No model named 'dogs' is loaded (loaded: food).", code: 'MODEL_NOT_FOUND', message: "No model named 'dogs' is loaded (loaded: food)." }, 'the protocol reads the message from error')

  app.readiness.drain()

  const draining = await app.inject('/health/ready')
  t.equal(draining.statusCode, 503)
  t.match(draining.json(), { status: 'draining', ready: false, models: [{ name: 'food' }] })
  t.equal(draining.headers.connection, 'close', 'while draining, responses close their connection')
  t.equal((await app.inject('/v2/health/ready')).statusCode, 503)
  t.same((await app.inject('/v2/health/ready')).json(), { ready: false })
  t.equal((await app.inject('/v2/models/food/ready')).statusCode, 503)
  t.same((await app.inject('/v2/models/food/ready')).json(), { name: 'food', ready: false })

  const stillLive = await app.inject('/health/live')
  t.equal(stillLive.statusCode, 200, 'a draining instance is still live: restarting it would cut its requests short')
  t.equal(stillLive.headers.connection, 'close')
  const root = await app.inject('/')
  t.equal(root.statusCode, 200, 'and it still answers every request it receives')
  t.equal(root.headers.connection, 'close')
})
