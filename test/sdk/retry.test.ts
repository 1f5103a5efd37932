import { openAsBlob } from 'node:fs'
import t from 'tap'
import { ApiError, ClassifierClient, retryAfterMs, retryingFetch } from '../../sdk/src/index.js'
import { holdAdmissionSlot, labelledPhoto, listen } from '../helper.js'

async function holdSlot (url: string): Promise<{ destroy: () => void }> {
  const socket = await holdAdmissionSlot(url)
  await new Promise(resolve => setTimeout(resolve, 200))
  return socket
}

async function refusedTotal (url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^admission_refused_total (\d+)/m.exec(text)?.[1] ?? NaN)
}

t.test('the SDK against the real server at its admission limit', async t => {
  // Refusals answered at once (ADMISSION_HOLD_MS=0): what is timed here is the SDK's own waiting.
  const url = await listen(t, { ADMISSION_LIMIT: '1', ADMISSION_HOLD_MS: '0' })
  const photo = await labelledPhoto()
  const blob = await openAsBlob(photo.path, { type: 'image/jpeg' })

  t.test('a refused call is retried after Retry-After, and succeeds once there is room', async t => {
    const held = await holdSlot(url)
    const retries: Array<{ attempt: number, delayMs: number, reason: string }> = []
    const client = new ClassifierClient({ baseUrl: url, retry: { onRetry: e => retries.push(e) } })
    setTimeout(() => held.destroy(), 300)
    const started = performance.now()
    const result = await client.predict(blob)
    const elapsed = performance.now() - started
    t.equal(result.label, photo.label)
    t.equal(retries.length, 1, 'one retry')
    t.match(retries[0], { attempt: 1, reason: 'HTTP 503' })
    t.ok(retries[0].delayMs >= 1000 && retries[0].delayMs <= 1500, `waited ${Math.round(retries[0].delayMs)} ms for Retry-After: 1, with jitter`)
    t.ok(elapsed >= 1000, `answered after ${Math.round(elapsed)} ms, not sooner than the server asked`)
  })

  t.test('retry: false gives the refusal at once', async t => {
    const held = await holdSlot(url)
    t.teardown(() => { held.destroy() })
    const client = new ClassifierClient({ baseUrl: url, retry: false })
    const started = performance.now()
    const err = await client.predict(blob).catch(e => e) as ApiError
    t.ok(err instanceof ApiError)
    t.match(err, { status: 503, code: 'OVERLOADED', retryAfterSeconds: 1 })
    t.ok(performance.now() - started < 1000, 'no wait')
  })

  t.test('under sustained refusal the retry budget stops the retries: no retry storm', async t => {
    const held = await holdSlot(url)
    t.teardown(() => { held.destroy() })
    const before = await refusedTotal(url)
    const client = new ClassifierClient({ baseUrl: url, retry: { maxDelayMs: 1500 } })
    const calls = 20
    const outcomes = await Promise.all(Array.from({ length: calls }, async () => client.predict(blob).then(() => 200, (e: ApiError) => e.status)))
    t.same([...new Set(outcomes)], [503], 'every call ends refused')
    const attempts = await refusedTotal(url) - before
    t.ok(attempts < calls * 1.5, `${attempts} requests reached the server for ${calls} calls (${calls * 3} without a budget)`)
  })
})

t.test('failed connections are retried with backoff for calls that change nothing, and only for those', async t => {
  let calls = 0
  const flaky = async (request: Request): Promise<Response> => {
    calls++
    if (calls % 2 === 1) throw new TypeError('fetch failed: ECONNRESET')
    return new Response(JSON.stringify({ path: new URL(request.url).pathname, body: await request.text() }), { status: 200 })
  }
  const fetchWithRetries = retryingFetch({}, flaky)
  const predict = await fetchWithRetries(new Request('http://service/predict', { method: 'POST', body: 'bytes' }))
  t.same(await predict.json(), { path: '/predict', body: 'bytes' }, 'a classification is retried, with its body sent again')
  const get = await fetchWithRetries(new Request('http://service/models'))
  t.equal(get.status, 200, 'a read is retried')
  await t.rejects(fetchWithRetries(new Request('http://service/v2/repository/models/food/load', { method: 'POST' })), /ECONNRESET/, 'an admin action is not')
  t.equal(retryAfterMs('2'), 2000)
  t.equal(retryAfterMs(new Date(Date.now() + 3000).toUTCString()) !== undefined, true, 'an HTTP date')
  t.equal(retryAfterMs(null), undefined)
})
