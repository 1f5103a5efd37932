import t from 'tap'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { build, holdAdmissionSlot as holdSlot, imageFile, labelledPhoto, listen, startSlowUpload } from '../helper.js'

async function metric (url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find(l => l.startsWith(`${name} `))
  return line === undefined ? NaN : Number(line.split(' ')[1])
}

async function until (check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('over the admission limit, inference requests are refused before their upload is read; the rest of the server answers', async t => {
  const url = await listen(t, { ADMISSION_LIMIT: '1' })
  const photo = await labelledPhoto()
  const upload = imageFile(await readFile(photo.path))
  const post = (body: { payload: Buffer, headers: Record<string, string> }) => fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(body.payload), headers: body.headers })

  const held = await holdSlot(url)
  await until(async () => await metric(url, 'admission_in_flight') === 1, 'the slot to be taken')

  const small = await post(upload)
  t.equal(small.status, 503)
  t.match(await small.json(), { statusCode: 503, error: 'Service Unavailable', code: 'OVERLOADED', message: /limit of 1 requests being worked on \(ADMISSION_LIMIT\); retry in 1 s/ })
  t.equal(small.headers.get('retry-after'), '1')
  t.not(small.headers.get('connection'), 'close', 'a small upload is drained and the connection kept')

  const big = await post(imageFile(Buffer.alloc(3 * 1024 * 1024, 7), 'big.jpg'))
  t.equal(big.status, 503, 'a 3 MB upload is refused too, and the answer reaches the client')
  t.equal(big.headers.get('connection'), 'close', 'its connection is closed rather than 3 MB read')
  t.match(await big.json(), { code: 'OVERLOADED' })

  t.equal((await fetch(`${url}/health/ready`)).status, 200, 'probes are not inference: answered at the limit')
  t.equal((await fetch(url)).status, 200, 'neither is the welcome')
  t.equal(await metric(url, 'admission_refused_total'), 2)
  t.equal(await metric(url, 'admission_limit'), 1)
  t.equal(await metric(url, 'admission_utilization'), 1, 'the one slot in use: the autoscaler\'s signal is at its top')
  const integral = await metric(url, 'admission_utilization_seconds_total')
  await new Promise(resolve => setTimeout(resolve, 300))
  t.ok(await metric(url, 'admission_utilization_seconds_total') - integral >= 0.25, 'a full limit adds a second of utilisation per second')
  t.ok(await metric(url, 'admission_in_flight_seconds_total') > 0)

  held.destroy()
  await until(async () => await metric(url, 'admission_in_flight') === 0, 'the slot to be freed when its client goes away')
  const ok = await post(upload)
  t.equal(ok.status, 200, 'with the slot free, the photo is classified')
  t.match(await ok.json(), { label: photo.label })
  t.equal(await metric(url, 'admission_in_flight'), 0, 'and its slot released once answered')
})

t.test('with the adaptive limit, concurrent clients are all answered, 200 or 503, and every slot comes back', async t => {
  const url = await listen(t, { INFERENCE_WORKERS: '1', MAX_BATCH_SIZE: '1', MAX_QUEUE: '4' })
  const photo = await labelledPhoto()
  const upload = imageFile(await readFile(photo.path))
  const limit = await metric(url, 'admission_limit')
  t.equal(limit, 2 + 4, 'starts open: its highest value, MAX_QUEUE (4) more than the lowest (2: at least two, and what keeps the runner fed, 1 worker x batch 1)')
  const answers = await Promise.all(Array.from({ length: 12 }, async () => {
    const res = await fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(upload.payload), headers: upload.headers })
    return { status: res.status, body: await res.json() as { label?: string, code?: string } }
  }))
  const ok = answers.filter(a => a.status === 200)
  const refused = answers.filter(a => a.status === 503)
  t.equal(ok.length + refused.length, 12, `${ok.length} answered, ${refused.length} refused, nothing else`)
  t.ok(ok.length >= 2, 'at least the limit is served')
  t.ok(ok.every(a => a.body.label === photo.label))
  t.ok(refused.every(a => a.body.code === 'OVERLOADED' || a.body.code === 'QUEUE_FULL'), 'refused at admission, or by the bounded queue behind it')
  await until(async () => await metric(url, 'admission_in_flight') === 0, 'every slot to be released')
})

t.test('ADMISSION_LIMIT=off leaves only the queue\'s own limits', async t => {
  const url = await listen(t, { ADMISSION_LIMIT: 'off' })
  const held = await startSlowUpload(url)
  await new Promise(resolve => setTimeout(resolve, 100))
  const upload = imageFile(await readFile((await labelledPhoto()).path))
  const res = await fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(upload.payload), headers: upload.headers })
  t.equal(res.status, 200, 'a slow upload holds nothing')
  held.destroy()
})

t.test('a refusal is held for ADMISSION_HOLD_MS (a client that ignores Retry-After cannot come back sooner), its upload unread; 0 answers at once', async t => {
  const upload = imageFile(await readFile((await labelledPhoto()).path))
  const post = (url: string, body = upload) => fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(body.payload), headers: body.headers })
  const timedPost = async (url: string, body = upload) => {
    const started = performance.now()
    const res = await post(url, body)
    return { res, ms: performance.now() - started, body: await res.json() as { code: string } }
  }

  const url = await listen(t, { ADMISSION_LIMIT: '1', ADMISSION_HOLD_MS: '600' })
  const slot = await holdSlot(url)
  t.teardown(() => slot.destroy())
  await until(async () => await metric(url, 'admission_in_flight') === 1, 'the slot to be taken')
  const refusal = timedPost(url)
  await until(async () => await metric(url, 'admission_refusals_held') === 1, 'the refusal to be held')
  t.equal((await fetch(`${url}/health/ready`)).status, 200, 'other routes answer while it is held')
  const { res, ms, body } = await refusal
  t.equal(res.status, 503)
  t.equal(body.code, 'OVERLOADED')
  t.equal(res.headers.get('retry-after'), '1')
  t.ok(ms >= 440 && ms < 1500, `answered after the hold, 450 to 600 ms (a quarter of jitter): ${Math.round(ms)} ms`)
  const big = await timedPost(url, imageFile(Buffer.alloc(3 * 1024 * 1024, 7), 'big.jpg'))
  t.equal(big.res.headers.get('connection'), 'close', 'a 3 MB upload is cut')
  t.ok(big.ms < 500, `and answered at once, not held: ${Math.round(big.ms)} ms`)
  t.equal(await metric(url, 'admission_refusals_held'), 0)

  const gone = new AbortController()
  const abandoned = fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(upload.payload), headers: upload.headers, signal: gone.signal }).catch(() => 'aborted')
  await until(async () => await metric(url, 'admission_refusals_held') === 1, 'the next refusal to be held')
  gone.abort()
  t.equal(await abandoned, 'aborted')
  await until(async () => await metric(url, 'admission_refusals_held') === 0, 'a refusal whose client left to be dropped')

  const quick = await listen(t, { ADMISSION_LIMIT: '1', ADMISSION_HOLD_MS: '0' })
  const quickSlot = await holdSlot(quick)
  t.teardown(() => quickSlot.destroy())
  await until(async () => await metric(quick, 'admission_in_flight') === 1, 'the slot to be taken')
  const now = await timedPost(quick)
  t.equal(now.res.status, 503)
  t.ok(now.ms < 400, `ADMISSION_HOLD_MS=0: answered at once (${Math.round(now.ms)} ms)`)
})

t.test('at shutdown a held refusal is answered at once, and the server closes without waiting out its hold', async t => {
  const server = await build(t, { ADMISSION_LIMIT: '1', ADMISSION_HOLD_MS: '1000' })
  await server.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`
  const slot = await holdSlot(server)
  await until(async () => await metric(url, 'admission_in_flight') === 1, 'the slot to be taken')
  const upload = imageFile(await readFile((await labelledPhoto()).path))
  const started = performance.now()
  const refusal = fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(upload.payload), headers: upload.headers })
  await until(async () => server.admission.inFlight === 1 && await metric(url, 'admission_refusals_held') === 1, 'the refusal to be held')
  slot.destroy()
  await server.close()
  const res = await refusal
  const ms = performance.now() - started
  t.equal(res.status, 503)
  t.match(await res.json(), { code: 'OVERLOADED' })
  t.ok(ms < 900, `answered in ${Math.round(ms)} ms, before its 1000 ms hold`)
})
