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

const CHROMIUM_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'

t.test('GET / answers the same JSON welcome to curl (*/*), to application/json and without Accept', async t => {
  const app = await build(t)
  const bodies: object[] = []
  for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/plain, */*', 'text/html;q=0.5, application/json']) {
    const res = await app.inject({ url: '/', headers: accept ? { accept } : {} })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/json/, `Accept: ${accept}: JSON`)
    t.match(res.headers.vary, /Accept/)
    bodies.push(res.json())
  }
  t.ok(bodies.every(body => JSON.stringify(body) === JSON.stringify(bodies[0])), 'the same welcome each time')
  t.same(Object.keys(bodies[0]), ['name', 'version', 'message', 'model', 'backend', 'docs'])
})

t.test('GET / answers a browser (Accept: text/html) with the page, under a content security policy', async t => {
  const app = await build(t)
  const res = await app.inject({ url: '/', headers: { accept: CHROMIUM_ACCEPT } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.match(res.body, /<title>food-classifier-service: is it food\?<\/title>/)
  t.match(res.body, /model <strong>food \d+\.\d+\.\d+<\/strong> \(food \/ not_food\) on wasm/)
  t.match(res.body, '<a href="docs">API docs</a>')
  t.match(res.body, 'data-key-required="false"')
  t.match(res.body, 'capture="environment"', 'a phone can take the photo with its camera')
  t.notMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script')
  t.notMatch(res.body, /https?:\/\//, 'nothing from another origin')
  t.match(res.headers['content-security-policy'], "default-src 'none'")
  t.match(res.headers['content-security-policy'], "script-src 'self'")
  t.match(res.headers['content-security-policy'], "frame-ancestors 'none'")
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'DENY')

  const script = await app.inject('/page/page.js')
  t.equal(script.statusCode, 200)
  t.match(script.headers['content-type'], /^text\/javascript/)
  t.match(script.body, "fetch('predict'")
  t.equal(script.headers['x-content-type-options'], 'nosniff')
  t.notOk(script.headers['content-security-policy'], 'the policy is for documents')
  t.match((await app.inject('/page/page.css')).headers['content-type'], /^text\/css/)

  const docs = await app.inject({ url: '/docs', headers: { accept: CHROMIUM_ACCEPT } })
  t.equal(docs.statusCode, 200)
  t.equal(docs.headers['content-security-policy'], res.headers['content-security-policy'], 'Swagger UI is under the same policy')
})

t.test('the page says when a key is needed, and leaves out the docs link when the docs are off', async t => {
  const app = await build(t, { API_KEYS: 'page-key-0123456789', DOCS_ENABLED: 'false' })
  const res = await app.inject({ url: '/', headers: { accept: 'text/html' } })
  t.match(res.body, 'data-key-required="true"')
  t.notMatch(res.body, 'href="docs"')
})
