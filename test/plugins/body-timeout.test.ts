import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { listen, readFixture } from '../helper.js'

/** A raw HTTP client that sends the headers, then the body a byte at a time (or its own head, then `drip` at each tick): what a slowloris client looks like. */
interface Trickler { socket: Socket, response: Promise<{ text: string, closedAfterMs: number }> }

function trickle (baseUrl: string, { path = '/predict', contentType = 'image/jpeg', bytes = 100_000, everyMs = 100, head, drip = 'x' }: { path?: string, contentType?: string, bytes?: number, everyMs?: number, head?: string, drip?: string } = {}): Trickler {
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname)
  const started = performance.now()
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', chunk => { text += chunk })
  socket.write(head ?? `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: ${contentType}\r\nContent-Length: ${bytes}\r\n\r\n`)
  const timer = setInterval(() => { if (!socket.destroyed) socket.write(drip) }, everyMs)
  const response = new Promise<{ text: string, closedAfterMs: number }>(resolve => {
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ text, closedAfterMs: performance.now() - started })
    })
    socket.on('error', () => {})
  })
  return { socket, response }
}

function parse (text: string): { status: number, headers: Record<string, string>, body: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(lines.map(line => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
  return { status: Number(statusLine.split(' ')[1]), headers, body: body ? JSON.parse(body) : undefined }
}

async function timed<T> (work: () => Promise<T>): Promise<{ ms: number, value: T }> {
  const started = performance.now()
  const value = await work()
  return { ms: performance.now() - started, value }
}

t.test('a trickled upload is cut at BODY_TIMEOUT_MS with 408 BODY_TIMEOUT and its connection closed', async t => {
  const baseUrl = await listen(t, { BODY_TIMEOUT_MS: '1000' })
  for (const contentType of ['image/jpeg', 'multipart/form-data; boundary=----x']) {
    const { response } = trickle(baseUrl, { contentType })
    const { text, closedAfterMs } = await response
    const { status, headers, body } = parse(text)
    t.equal(status, 408, `${contentType}: 408`)
    t.equal(headers.connection, 'close', `${contentType}: Connection: close`)
    t.match(headers['x-request-id'], /\S/, 'the answer names its request')
    t.same(body, { statusCode: 408, error: 'Request Timeout', code: 'BODY_TIMEOUT', message: 'The request body did not arrive within 1000 ms (BODY_TIMEOUT_MS); the connection is closed.' })
    t.ok(closedAfterMs >= 950 && closedAfterMs < 3000, `${contentType}: closed by the server after ${Math.round(closedAfterMs)} ms`)
  }
})

t.test('a body that arrives in time is not cut, however long the answer takes', async t => {
  const baseUrl = await listen(t, { BODY_TIMEOUT_MS: '1500' })
  const photo = await readFixture('images/flower.jpg')
  // Sent in 5 pieces over about a second: slower than a LAN, within the deadline.
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname)
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', chunk => { text += chunk })
  // Listen for the close before sending: a fast answer can arrive, and close the socket, during the last pause.
  const closed = new Promise(resolve => socket.on('close', resolve))
  socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: ${photo.length}\r\nConnection: close\r\n\r\n`)
  const piece = Math.ceil(photo.length / 5)
  for (let i = 0; i < photo.length; i += piece) {
    socket.write(photo.subarray(i, i + piece))
    await sleep(200)
  }
  await closed
  const { status, body } = parse(text)
  t.equal(status, 200, JSON.stringify(body))
  t.match(body, { label: 'not_food', model: { name: 'food' } })
})

t.test('while trickling clients hold connections, other clients are answered at normal speed', async t => {
  const baseUrl = await listen(t, { BODY_TIMEOUT_MS: '4000' })
  const photo = await readFixture('images/flower.jpg')
  const predict = async () => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'flower.jpg')
    const res = await fetch(`${baseUrl}/predict`, { method: 'POST', body: form })
    return { status: res.status, body: await res.json() as { label: string } }
  }
  const live = async () => (await fetch(`${baseUrl}/health/live`)).status

  await predict()
  const baseline: number[] = []
  for (let i = 0; i < 3; i++) baseline.push((await timed(predict)).ms)
  const normal = Math.max(...baseline)

  const tricklers = Array.from({ length: 8 }, () => trickle(baseUrl, { everyMs: 50 }))
  t.teardown(() => { for (const { socket } of tricklers) socket.destroy() })
  await sleep(300)
  const during: number[] = []
  for (let i = 0; i < 3; i++) {
    const { ms, value } = await timed(predict)
    t.equal(value.status, 200, 'a prediction while 8 clients trickle: 200')
    t.equal(value.body.label, 'not_food')
    during.push(ms)
  }
  const probe = await timed(live)
  t.equal(probe.value, 200)
  t.ok(probe.ms < 500, `the liveness probe answered in ${Math.round(probe.ms)} ms`)
  const slowest = Math.max(...during)
  t.ok(slowest < normal * 3 + 250, `predictions took ${during.map(Math.round).join(', ')} ms with 8 tricklers connected; ${baseline.map(Math.round).join(', ')} ms before`)

  const cut = await Promise.all(tricklers.map(({ response }) => response))
  t.same(cut.map(({ text }) => parse(text).status), Array(8).fill(408), 'then every trickler is cut with 408')
})

t.test('a client that never finishes its headers is disconnected after HEADERS_TIMEOUT_MS', async t => {
  const baseUrl = await listen(t, { HEADERS_TIMEOUT_MS: '1000' })
  const { text, closedAfterMs: ms } = await trickle(baseUrl, { head: 'GET /health/live HTTP/1.1\r\nHost: x\r\n', drip: 'X-Slow: 1\r\n', everyMs: 200 }).response
  t.match(text, /^HTTP\/1\.1 408 /, 'Node answers 408')
  t.ok(ms >= 950 && ms < 3500, `closed after ${Math.round(ms)} ms`)
})
