import { connect } from 'node:net'
import { request } from 'node:http'
import t from 'tap'
import { imageFile, labelledPhoto, listen, readFixture, startSlowUpload } from '../helper.js'
import { readFile } from 'node:fs/promises'

/** Sends a request's head (and optionally the start of its body) on a raw socket; resolves with all it reads within `ms`. */
async function rawExchange (url: string, head: string, body = '', ms = 2000): Promise<{ text: string, elapsedMs: number, closed: boolean }> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  await new Promise(resolve => socket.once('connect', resolve))
  const started = performance.now()
  let text = ''
  let closed = false
  socket.on('data', chunk => { text += chunk.toString('latin1') })
  socket.on('error', () => {})
  socket.once('close', () => { closed = true })
  socket.write(head + body)
  const deadline = started + ms
  while (performance.now() < deadline && !closed && !/\r\n\r\n[\s\S]*\}$/.test(text)) await new Promise(resolve => setTimeout(resolve, 10))
  const elapsedMs = performance.now() - started
  socket.destroy()
  return { text, elapsedMs, closed }
}

t.test('a body declared larger than its limit is refused with 413 before 100 Continue and before it is read', async t => {
  const url = await listen(t)
  const tenGiB = 10 * 1024 ** 3
  for (const type of ['multipart/form-data; boundary=xyz', 'image/jpeg', 'application/json']) {
    const { text, elapsedMs } = await rawExchange(url, `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${tenGiB}\r\nExpect: 100-continue\r\n\r\n`)
    t.match(text, /^HTTP\/1\.1 413 /, `${type}: 413 first, no 100 Continue: ${JSON.stringify(text.slice(0, 40))}`)
    t.notMatch(text, /100 Continue/)
    t.match(text, /connection: close/i)
    t.match(text, /"code":"PAYLOAD_TOO_LARGE"/)
    t.match(text, type === 'image/jpeg' ? /The upload is larger than the limit of \d+ bytes \(MAX_UPLOAD_BYTES\)/ : type === 'application/json' ? /The request body is larger than the limit of \d+ bytes: MAX_REQUEST_BYTES/ : /declares 10737418240 bytes \(Content-Length\)/)
    t.ok(elapsedMs < 2000, `${type}: answered in ${Math.round(elapsedMs)} ms`)
  }
  // Without Expect, the client sends its body at once: the refusal still comes first, readable.
  const { text } = await rawExchange(url, `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${tenGiB}\r\n\r\n`, '--xyz\r\n'.padEnd(64 * 1024, 'a'))
  t.match(text, /^HTTP\/1\.1 413 [\s\S]*PAYLOAD_TOO_LARGE/)
})

t.test('a body within its limit gets 100 Continue and is answered', async t => {
  const url = await listen(t)
  const photo = await labelledPhoto()
  const upload = imageFile(await readFile(photo.path))
  const { hostname, port } = new URL(url)
  const answer = await new Promise<{ status: number, body: string, continued: boolean }>((resolve, reject) => {
    let continued = false
    const req = request({ hostname, port, path: '/predict', method: 'POST', headers: { ...upload.headers, 'content-length': upload.payload.length, expect: '100-continue' } }, res => {
      let body = ''
      res.on('data', c => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, continued }))
    })
    req.on('continue', () => { continued = true; req.end(upload.payload) })
    req.on('error', reject)
    // The headers alone, now: the body waits for 100 Continue.
    req.flushHeaders()
  })
  t.ok(answer.continued, '100 Continue sent')
  t.equal(answer.status, 200)
  t.match(JSON.parse(answer.body), { label: photo.label })
})

t.test('80 trickling uploads beside 20 real requests: the real ones are answered', async t => {
  const url = await listen(t, { INFERENCE_WORKERS: '1' })
  const slow = await Promise.all(Array.from({ length: 80 }, () => startSlowUpload(url)))
  t.teardown(() => { for (const s of slow) s.destroy() })
  let metrics = ''
  for (let i = 0; i < 100 && !/^uploads_in_progress 80$/m.test(metrics); i++) {
    await new Promise(resolve => setTimeout(resolve, 50))
    metrics = await (await fetch(`${url}/metrics`)).text()
  }
  t.match(metrics, /^uploads_in_progress 80$/m, 'the trickling uploads are counted as uploads')
  t.match(metrics, /^admission_in_flight 0$/m, 'and hold no admission slot')
  const upload = imageFile(await readFixture('images/flower.jpg'))
  // Five at a time: one wasm worker on a shared 2-core machine; what is checked is that the slow uploads take nothing.
  const statuses: string[] = []
  for (let wave = 0; wave < 4; wave++) {
    statuses.push(...await Promise.all(Array.from({ length: 5 }, async () => {
      const res = await fetch(`${url}/predict`, { method: 'POST', body: new Uint8Array(upload.payload), headers: upload.headers })
      return res.status === 200 ? '200' : `${res.status} ${(await res.json() as { code: string }).code}`
    })))
  }
  t.ok(statuses.filter(s => s === '200').length >= 18, `at least 18 of 20 answered 200: ${statuses.join(', ')}`)
})

t.test('past MAX_UPLOADS_IN_PROGRESS, a new upload is refused at once with 503 UPLOADS_BUSY', async t => {
  const url = await listen(t, { MAX_UPLOADS_IN_PROGRESS: '2' })
  const slow = await Promise.all(Array.from({ length: 2 }, () => startSlowUpload(url)))
  t.teardown(() => { for (const s of slow) s.destroy() })
  await new Promise(resolve => setTimeout(resolve, 100))
  const { text } = await rawExchange(url, 'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 5000000\r\n\r\n', '--xyz\r\n')
  t.match(text, /^HTTP\/1\.1 503 /)
  t.match(text, /retry-after: 1/i)
  t.match(text, /"code":"UPLOADS_BUSY"[\s\S]*MAX_UPLOADS_IN_PROGRESS=2/)
})
