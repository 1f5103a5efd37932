import Fastify from 'fastify'
import t from 'tap'
import app, { options } from '../../app.js'
import { build, captureLogs } from '../helper.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('every response carries X-Request-Id: the client\'s when sane, generated otherwise, errors included', async t => {
  const server = await build(t)
  const generated = await server.inject('/')
  t.match(generated.headers['x-request-id'], UUID)
  t.not((await server.inject('/')).headers['x-request-id'], generated.headers['x-request-id'], 'a new id per request')
  t.equal((await server.inject({ url: '/', headers: { 'x-request-id': 'client-42' } })).headers['x-request-id'], 'client-42')
  t.match((await server.inject({ url: '/', headers: { 'x-request-id': 'no spaces, please' } })).headers['x-request-id'], UUID)
  const notFound = await server.inject({ url: '/nowhere', headers: { 'x-request-id': 'lost-1' } })
  t.equal(notFound.statusCode, 404)
  t.equal(notFound.headers['x-request-id'], 'lost-1')
  const refused = await server.inject({ method: 'POST', url: '/predict', payload: 'x', headers: { 'content-type': 'text/plain', 'x-request-id': 'bad-2' } })
  t.equal(refused.statusCode, 415)
  t.equal(refused.headers['x-request-id'], 'bad-2')
})

t.test('the request id is in the structured log lines of its request', async t => {
  const { stream, lines } = captureLogs()
  const server = Fastify({ ...options, logger: { level: 'info', stream } })
  await server.register(app, { env: { INFERENCE_BACKEND: 'wasm' } })
  t.teardown(() => server.close())
  const res = await server.inject({ url: '/models/dogs', headers: { 'x-request-id': 'trace-me-7' } })
  t.equal(res.statusCode, 404)
  const mine = lines.filter(line => line.reqId === 'trace-me-7')
  t.same(mine.map(line => line.msg), ['incoming request', 'request refused', 'request completed'])
  t.match(mine[2], { res: { statusCode: 404 }, responseTime: Number })
})
