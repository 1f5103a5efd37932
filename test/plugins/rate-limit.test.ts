import t from 'tap'
import { build } from '../helper.js'

const KEY_A = 'client-a-0123456789abcdef'
const KEY_B = 'client-b-0123456789abcdef'

t.test('off by default: no RateLimit headers, no 429', async t => {
  const app = await build(t)
  for (let i = 0; i < 5; i++) {
    const res = await app.inject('/models')
    t.equal(res.statusCode, 200)
    t.notOk(res.headers['ratelimit-limit'])
  }
})

t.test('past RATE_LIMIT_MAX per window a client gets 429 RATE_LIMITED with Retry-After; probes are not counted', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' })
  for (let i = 1; i <= 3; i++) {
    const res = await app.inject('/models')
    t.equal(res.statusCode, 200, `request ${i}: 200`)
    t.equal(res.headers['ratelimit-limit'], '3')
    t.equal(res.headers['ratelimit-remaining'], String(3 - i))
    t.equal((await app.inject('/health/ready')).statusCode, 200, 'a probe in between: 200, not counted')
  }
  const refused = await app.inject('/models')
  t.equal(refused.statusCode, 429)
  t.same(refused.json(), { statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: 'Rate limit reached: at most 3 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 60 s.' })
  const retryAfter = Number(refused.headers['retry-after'])
  t.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${retryAfter}`)
  t.equal(refused.headers['ratelimit-remaining'], '0')
  t.equal(refused.headers['ratelimit-reset'], refused.headers['retry-after'])
  t.equal((await app.inject({ method: 'POST', url: '/predict' })).statusCode, 429, 'every counted route shares the budget')
  for (const url of ['/health/live', '/health/ready', '/v2/health/ready', '/metrics']) t.equal((await app.inject(url)).statusCode, 200, `${url} still answers`)
  t.equal((await app.inject({ url: '/models', remoteAddress: '10.1.2.3' })).statusCode, 200, 'another address has its own budget')
})

t.test('the window ends: the client is answered again', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_MS: '1000' })
  t.equal((await app.inject('/')).statusCode, 200)
  const refused = await app.inject('/')
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['retry-after'], '1')
  await new Promise(resolve => setTimeout(resolve, 1100))
  t.equal((await app.inject('/')).statusCode, 200)
})

t.test('with API keys a client is its key, wherever it connects from', async t => {
  const app = await build(t, { RATE_LIMIT_MAX: '2', API_KEYS: `${KEY_A},${KEY_B}` })
  const as = (key: string, remoteAddress: string) => app.inject({ url: '/models', remoteAddress, headers: { authorization: `Bearer ${key}` } })
  t.equal((await as(KEY_A, '10.0.0.1')).statusCode, 200)
  t.equal((await as(KEY_A, '10.0.0.2')).statusCode, 200)
  t.equal((await as(KEY_A, '10.0.0.3')).statusCode, 429, 'key A from a third address: its third request, 429')
  t.equal((await as(KEY_B, '10.0.0.1')).statusCode, 200, 'key B from the same address: its own budget')
})

t.test('X-Forwarded-For counts only from TRUST_PROXY', async t => {
  const forwarded = (app: Awaited<ReturnType<typeof build>>, client: string) =>
    app.inject({ url: '/models', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': client } })

  const direct = await build(t, { RATE_LIMIT_MAX: '1' })
  t.equal((await forwarded(direct, '203.0.113.1')).statusCode, 200)
  t.equal((await forwarded(direct, '203.0.113.2')).statusCode, 429, 'not trusted: a forged X-Forwarded-For does not buy a new budget')

  const proxied = await build(t, { RATE_LIMIT_MAX: '1', TRUST_PROXY: '127.0.0.1' })
  t.equal((await forwarded(proxied, '203.0.113.1')).statusCode, 200)
  t.equal((await forwarded(proxied, '203.0.113.2')).statusCode, 200, 'behind a trusted proxy, each forwarded client has its own budget')
  t.equal((await forwarded(proxied, '203.0.113.1')).statusCode, 429, 'and the first one is over its own')
  const untrustedHop = await proxied.inject({ url: '/models', remoteAddress: '198.51.100.7', headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.equal(untrustedHop.statusCode, 200)
  t.equal((await proxied.inject({ url: '/models', remoteAddress: '198.51.100.7', headers: { 'x-forwarded-for': '203.0.113.10' } })).statusCode, 429, 'a peer that is not a trusted proxy is counted by its own address')

  await t.rejects(build(t, { TRUST_PROXY: '10.0.0.0/33' }), { name: 'ConfigError', message: /TRUST_PROXY: "10.0.0.0\/33" is not an address/ })
})
