import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

const ALLOWED = 'https://app.example.com'
const preflight = (origin: string, headers = 'content-type, authorization') => ({
  method: 'OPTIONS' as const,
  url: '/predict',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers }
})

t.test('CORS is off by default: no CORS header, the preflight is a 404 as before', async t => {
  const app = await build(t)
  const res = await app.inject(preflight(ALLOWED))
  t.equal(res.statusCode, 404)
  t.notOk(res.headers['access-control-allow-origin'])
  const get = await app.inject({ url: '/', headers: { origin: ALLOWED } })
  t.equal(get.statusCode, 200)
  t.notOk(get.headers['access-control-allow-origin'])
})

t.test('CORS_ORIGINS: an allowed origin gets the allow headers; another origin gets none', async t => {
  const app = await build(t, { CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` })

  const allowed = await app.inject(preflight(ALLOWED))
  t.equal(allowed.statusCode, 204, 'preflight from an allowed origin: 204')
  t.equal(allowed.headers['access-control-allow-origin'], ALLOWED)
  t.equal(allowed.headers['access-control-allow-methods'], 'GET, HEAD, POST')
  t.match(allowed.headers['access-control-allow-headers'], /Authorization/)
  t.match(allowed.headers['access-control-allow-headers'], /X-API-Key/)
  t.match(allowed.headers['access-control-allow-headers'], /Content-Type/)
  t.equal(allowed.headers['access-control-max-age'], '600')
  t.match(allowed.headers.vary, /Origin/)
  t.equal((await app.inject(preflight('http://localhost:5173'))).headers['access-control-allow-origin'], 'http://localhost:5173', 'the second origin of the list')

  for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'http://app.example.com', 'null']) {
    const refused = await app.inject(preflight(origin))
    t.equal(refused.statusCode, 404, `preflight from ${origin}: 404`)
    t.notOk(refused.headers['access-control-allow-origin'], `${origin}: no Access-Control-Allow-Origin`)
    t.notOk(refused.headers['access-control-allow-methods'], `${origin}: no Access-Control-Allow-Methods`)
  }

  const photo = imageFile(await readFixture('images/flower.jpg'))
  const post = await app.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: { ...photo.headers, origin: ALLOWED } })
  t.equal(post.statusCode, 200)
  t.equal(post.headers['access-control-allow-origin'], ALLOWED, 'the answer itself carries the origin')
  t.same(String(post.headers['access-control-expose-headers']).split(', '), ['Server-Timing', 'X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'], 'and exposes the useful headers')
  const other = await app.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: { ...photo.headers, origin: 'https://evil.example.com' } })
  t.notOk(other.headers['access-control-allow-origin'], 'another origin: the browser will not let its page read the answer')
})

t.test('CORS_ORIGINS=* allows any origin; errors carry the CORS headers too, so pages can read them', async t => {
  const app = await build(t, { CORS_ORIGINS: '*', API_KEYS: 'a-key-of-sixteen-chars' })
  const res = await app.inject(preflight('https://anywhere.example'))
  t.equal(res.statusCode, 204, 'the preflight needs no key')
  t.equal(res.headers['access-control-allow-origin'], 'https://anywhere.example')
  const refused = await app.inject({ url: '/models', headers: { origin: 'https://anywhere.example' } })
  t.equal(refused.statusCode, 401)
  t.equal(refused.headers['access-control-allow-origin'], 'https://anywhere.example')
})

t.test('a CORS_ORIGINS entry that is not an origin stops the boot, naming it', async t => {
  await t.rejects(build(t, { CORS_ORIGINS: 'https://ok.example, https://app.example.com/' }), { name: 'ConfigError', message: /CORS_ORIGINS: "https:\/\/app.example.com\/" is not an origin/ })
  await t.rejects(build(t, { CORS_ORIGINS: 'app.example.com' }), { name: 'ConfigError', message: /"app.example.com" is not an origin/ })
  await t.rejects(build(t, { CORS_ORIGINS: '*, https://ok.example' }), { name: 'ConfigError', message: /cannot be combined/ })
})
