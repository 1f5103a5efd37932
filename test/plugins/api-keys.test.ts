import { openAsBlob } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import t from 'tap'
import app, { serverOptions } from '../../app.js'
import { ApiError, ClassifierClient } from '../../sdk/src/index.js'
import { loadConfig } from '../../services/common/config.js'
import { build, imageFile, labelledPhoto, listen, readFixture } from '../helper.js'

const KEY = 'test-key-0123456789abcdef'
const OTHER = 'other-key-fedcba9876543210'

t.test('without API keys (the default) every route is open, as before', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images/flower.jpg')) })
  t.equal(res.statusCode, 200)
  t.equal((await app.inject('/models')).statusCode, 200)
  t.equal(app.apiKeys, null)
})

t.test('with API_KEYS, /predict and /models need a key; probes, /metrics, / and /docs do not', async t => {
  const app = await build(t, { API_KEYS: `${KEY}, ${OTHER}` })
  const photo = await readFixture('images/flower.jpg')
  const predict = (headers: Record<string, string> = {}) => {
    const upload = imageFile(photo)
    return app.inject({ method: 'POST', url: '/predict', payload: upload.payload, headers: { ...upload.headers, ...headers } })
  }

  const none = await predict()
  t.equal(none.statusCode, 401, 'no key: 401')
  t.same(none.json(), { statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED', message: 'An API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".' })
  t.equal(none.headers['www-authenticate'], 'Bearer realm="food-classifier"')

  const wrong = await predict({ authorization: `Bearer ${KEY}x` })
  t.equal(wrong.statusCode, 401, 'a wrong key: 401')
  t.equal(wrong.json().message, 'The API key is not valid.')
  t.notMatch(wrong.body, KEY, 'the answer does not repeat the key')
  t.equal((await predict({ authorization: KEY })).statusCode, 401, 'a key without the Bearer scheme: 401')

  const bearer = await predict({ authorization: `Bearer ${KEY}` })
  t.equal(bearer.statusCode, 200, 'Authorization: Bearer <key>: 200')
  t.equal(bearer.json().label, 'not_food')
  t.notOk(bearer.headers['www-authenticate'])
  t.equal((await predict({ 'x-api-key': OTHER })).statusCode, 200, 'X-API-Key with the second key: 200')
  t.equal((await predict({ authorization: `bearer ${OTHER}` })).statusCode, 200, 'the scheme is case-insensitive')

  t.equal((await app.inject('/models')).statusCode, 401, 'GET /models: 401')
  t.equal((await app.inject('/models/food')).statusCode, 401, 'GET /models/food: 401')
  t.equal((await app.inject({ url: '/models', headers: { 'x-api-key': KEY } })).statusCode, 200)
  for (const url of ['/health/live', '/health/ready', '/v2/health/live', '/v2/health/ready', '/v2/models/food/ready', '/metrics', '/', '/page/page.js', '/docs/json', '/docs']) {
    t.equal((await app.inject(url)).statusCode, 200, `GET ${url} without a key: 200`)
  }
})

t.test('the OpenAPI document declares both schemes, and the protected operations require one', async t => {
  const open = (await (await build(t)).inject('/docs/json')).json()
  t.same(Object.keys(open.components.securitySchemes), ['bearerAuth', 'apiKeyHeader', 'adminToken'], 'the API key\'s two schemes, and the repository routes\' admin token')
  t.same(open.components.securitySchemes.apiKeyHeader, { type: 'apiKey', in: 'header', name: 'X-API-Key', description: open.components.securitySchemes.apiKeyHeader.description })
  t.same(open.paths['/predict'].post.security, [{}, { bearerAuth: [] }, { apiKeyHeader: [] }], 'without keys configured a key is optional')
  t.ok(open.paths['/predict'].post.responses['401'], 'and the 401 is documented')
  t.notOk(open.paths['/health/ready'].get.security, 'probes declare nothing: the document-wide "none" applies')
  t.same(open.security, [])

  const locked = (await (await build(t, { API_KEYS: KEY })).inject('/docs/json')).json()
  t.same(locked.paths['/predict'].post.security, [{ bearerAuth: [] }, { apiKeyHeader: [] }], 'with keys, one of the two schemes is required')
  t.same(locked.paths['/models/{name}'].get.security, [{ bearerAuth: [] }, { apiKeyHeader: [] }])
  t.same(locked.paths['/v2/repository/index'].post.security, [{ adminToken: [] }], 'repository control takes the admin token, not an API key')
})

t.test('keys from API_KEYS_FILE; a bad file stops the boot with a message that never shows a key', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'api-keys-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'keys')
  await writeFile(file, `# clients\n${KEY}\n\n  ${OTHER}  \n`)
  const app = await build(t, { API_KEYS_FILE: file })
  t.equal(app.apiKeys?.size, 2)
  t.equal((await app.inject({ url: '/models', headers: { authorization: `Bearer ${OTHER}` } })).statusCode, 200)
  t.equal((await app.inject('/models')).statusCode, 401)

  await writeFile(file, `${KEY}\nshort-secret\n`)
  await t.rejects(build(t, { API_KEYS_FILE: file }), { name: 'ConfigError', message: /API_KEYS_FILE \(.*\): key 2 is refused: a key is 16 to 256 printable ASCII characters/ })
  await t.rejects(build(t, { API_KEYS_FILE: join(dir, 'missing') }), { name: 'ConfigError', message: /API_KEYS_FILE=.*missing" cannot be read/ })
  t.throws(() => loadConfig({ API_KEYS: `${KEY},short-secret` }), { name: 'ConfigError', message: /API_KEYS: key 2 is refused/ })
  try {
    loadConfig({ API_KEYS: 'short-secret' })
  } catch (err) {
    t.notMatch((err as Error).message, 'short-secret', 'the refused key is not in the message')
  }
})

t.test('keys never reach the log', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const config = loadConfig({ INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '1', API_KEYS: KEY, LOG_LEVEL: 'trace' })
  const options = serverOptions(config)
  const server = Fastify({ ...options, logger: { ...options.logger as object, stream } })
  await server.register(app, { config })
  await server.ready()
  t.teardown(() => server.close())
  const upload = imageFile(await readFixture('images/flower.jpg'))
  await server.inject({ method: 'POST', url: '/predict', payload: upload.payload, headers: { ...upload.headers, authorization: `Bearer ${KEY}` } })
  await server.inject({ method: 'POST', url: '/predict', payload: upload.payload, headers: { ...upload.headers, 'x-api-key': `${KEY}-wrong` } })
  t.ok(lines.some(line => line.includes('"code":"UNAUTHORIZED"')), 'the refusal is logged')
  t.ok(lines.some(line => line.includes('"authorization":"[redacted]"')), 'the line where @fastify/multipart logs the headers has it redacted')
  t.notOk(lines.some(line => line.includes(KEY)), 'and no line holds the key')
})

t.test('the SDK passes the key (apiKey option), and a missing key is an ApiError 401', async t => {
  const baseUrl = await listen(t, { API_KEYS: KEY })
  const photo = await labelledPhoto()
  const blob = await openAsBlob(photo.path, { type: 'image/jpeg' })
  const result = await new ClassifierClient({ baseUrl, apiKey: KEY }).predict(blob)
  t.equal(result.label, photo.label)
  const refused = await new ClassifierClient({ baseUrl }).predict(blob).catch((err: unknown) => err)
  t.ok(refused instanceof ApiError)
  t.match(refused, { status: 401, code: 'UNAUTHORIZED' })
})
