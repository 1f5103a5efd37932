import t from 'tap'
import { build } from '../helper.js'

t.test('GET / answers a JSON welcome naming the service, model, backend and docs', async t => {
  const app = await build(t)
  const res = await app.inject('/')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  const body = res.json()
  t.match(body, { name: 'food-classifier-service', version: /^\d+\.\d+\.\d+/, model: { name: 'food', version: /^\d+\.\d+\.\d+/ }, backend: 'wasm', docs: '/docs' })
  t.match(body.message, /POST an image to \/predict/)
})

t.test('an unknown route is a 404 in the error envelope', async t => {
  const app = await build(t)
  const res = await app.inject('/nowhere')
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, error: 'Not Found', code: 'NOT_FOUND', message: 'Route GET /nowhere not found.' })
})
