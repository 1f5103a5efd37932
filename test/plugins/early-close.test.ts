import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { holdAdmissionSlot, imageFile, listen, multipart, readFixture, startSlowUpload } from '../helper.js'

const KEY = 'test-key-0123456789abcdef'
const ADMIN_TOKEN = 'admin-token-0123456789abcdef'
/** Declared by every trickling upload: more than it will ever send. */
const DECLARED = 900_000

interface Answer { status: number, headers: Record<string, string>, body: { code?: string } }

/** The first complete HTTP/1.1 response (Content-Length framed) at the start of `bytes`, and how long it is. */
function parseResponse (bytes: Buffer): { answer: Answer, length: number } | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n')
  if (headEnd < 0) return undefined
  const [statusLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n')
  const headers = Object.fromEntries(lines.map(line => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
  const length = headEnd + 4 + Number(headers['content-length'] ?? 0)
  if (bytes.length < length) return undefined
  const text = bytes.subarray(headEnd + 4, length).toString('utf8')
  return { answer: { status: Number(statusLine.split(' ')[1]), headers, body: text ? JSON.parse(text) : {} }, length }
}

interface Trickled { answer: Answer, closedAfterMs?: number }

/**
 * A client that sends a request's head, then a byte of its body every 200 ms, as a slow or hostile uploader does.
 * Resolves with the answer and how long after it the connection closed; undefined: still open `waitMs` after it.
 */
async function trickle (url: string, { path = '/predict', contentType = 'multipart/form-data; boundary=xyz', contentLength = DECLARED, headers = {}, waitMs = 3000 }: { path?: string, contentType?: string, contentLength?: number, headers?: Record<string, string>, waitMs?: number } = {}): Promise<Trickled> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  socket.on('error', () => {})
  let received = Buffer.alloc(0)
  let answeredAt: number | undefined
  let parsed: Answer | undefined
  socket.on('data', chunk => {
    received = Buffer.concat([received, chunk])
    answeredAt ??= performance.now()
    parsed ??= parseResponse(received)?.answer
  })
  const closed = new Promise<number>(resolve => socket.once('close', () => resolve(performance.now())))
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\n${extra}\r\n--xyz\r\n`)
  const drip = setInterval(() => { if (socket.writable) socket.write('x') }, 200)
  try {
    const answered = async (): Promise<void> => { while (parsed === undefined && !socket.destroyed) await sleep(5) }
    await Promise.race([answered(), sleep(10_000)])
    if (parsed === undefined || answeredAt === undefined) throw new Error(`no answer: ${JSON.stringify(received.toString('latin1'))}`)
    const closedAt = await Promise.race([closed, sleep(waitMs).then(() => undefined)])
    return { answer: parsed, closedAfterMs: closedAt === undefined ? undefined : closedAt - answeredAt }
  } finally {
    clearInterval(drip)
    socket.destroy()
  }
}

/** One connection carrying requests one after the other (keep-alive), each sent whole. */
async function connection (url: string): Promise<{ send: (head: string, body?: Buffer) => Promise<Answer>, socket: Socket }> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  await new Promise(resolve => socket.once('connect', resolve))
  let received = Buffer.alloc(0)
  socket.on('data', chunk => { received = Buffer.concat([received, chunk]) })
  socket.on('error', () => {})
  async function send (head: string, body: Buffer = Buffer.alloc(0)): Promise<Answer> {
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]))
    for (let i = 0; i < 2000; i++) {
      const parsed = parseResponse(received)
      if (parsed !== undefined) {
        received = received.subarray(parsed.length)
        return parsed.answer
      }
      if (socket.destroyed) throw new Error('the connection closed before an answer')
      await sleep(5)
    }
    throw new Error('no answer within 10 s')
  }
  return { send, socket }
}

const post = (path: string, upload: { payload: Buffer, headers: Record<string, string> }, headers = ''): [string, Buffer] =>
  [`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${upload.headers['content-type']}\r\nContent-Length: ${upload.payload.length}\r\n${headers}\r\n`, upload.payload]

function closesPromptly (t: Test, { answer, closedAfterMs }: Trickled, status: number, code: string): void {
  t.equal(answer.status, status, `${status} ${code}`)
  t.equal(answer.body.code, code)
  t.equal(answer.headers.connection, 'close', 'Connection: close')
  t.ok(closedAfterMs !== undefined && closedAfterMs < 1000, `the connection closed ${closedAfterMs === undefined ? 'not within 3 s' : `${Math.round(closedAfterMs)} ms`} after the answer`)
}

t.test('with API keys, an upload without one trickling its body gets 401 and its connection closed at once', async t => {
  const url = await listen(t, { API_KEYS: KEY })
  const started = performance.now()
  const trickled = await trickle(url)
  closesPromptly(t, trickled, 401, 'UNAUTHORIZED')
  t.ok(performance.now() - started < 2000, `answered and closed in ${Math.round(performance.now() - started)} ms`)
})

t.test('over the rate limit, a trickled upload gets 429 and its connection closed at once', async t => {
  const url = await listen(t, { API_KEYS: KEY, RATE_LIMIT_MAX: '1' })
  t.equal((await fetch(`${url}/models`, { headers: { authorization: `Bearer ${KEY}` } })).status, 200, 'the one request of the window')
  closesPromptly(t, await trickle(url, { headers: { Authorization: `Bearer ${KEY}` } }), 429, 'RATE_LIMITED')
})

t.test('403, 404, 413 by Content-Length and 415 by type, before the body, close the connection at once', async t => {
  const url = await listen(t, { ADMIN_TOKEN })
  closesPromptly(t, await trickle(url, { path: '/v2/repository/index', contentType: 'application/json', headers: { Authorization: 'Bearer not-the-admin-token' } }), 403, 'FORBIDDEN')
  closesPromptly(t, await trickle(url, { path: '/no/such/route' }), 404, 'NOT_FOUND')
  closesPromptly(t, await trickle(url, { path: '/no/such/route', contentType: 'image/jpeg' }), 404, 'NOT_FOUND')
  closesPromptly(t, await trickle(url, { contentLength: 100 * 1024 ** 2 }), 413, 'PAYLOAD_TOO_LARGE')
  closesPromptly(t, await trickle(url, { contentType: 'video/mp4' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
})

t.test('503 at admission: a large upload is closed at once; a small one is drained, and cut 2 s after the answer if it keeps trickling', async t => {
  const url = await listen(t, { ADMISSION_LIMIT: '1', ADMISSION_HOLD_MS: '0', MAX_UPLOADS_IN_PROGRESS: '1' })
  const slow = await startSlowUpload(url)
  t.teardown(() => slow.destroy())
  await sleep(200)
  closesPromptly(t, await trickle(url, { contentLength: 2 * 1024 ** 2 }), 503, 'UPLOADS_BUSY')
  slow.destroy()
  await sleep(200)

  const slot = await holdAdmissionSlot(url)
  t.teardown(() => slot.destroy())
  closesPromptly(t, await trickle(url, { contentLength: 2 * 1024 ** 2 }), 503, 'OVERLOADED')

  const small = await trickle(url, { contentLength: 100_000, waitMs: 4000 })
  t.equal(small.answer.status, 503, 'a small upload is refused too')
  t.equal(small.answer.headers.connection, 'keep-alive', 'and its connection kept for the rest of its body')
  t.ok(small.closedAfterMs !== undefined && small.closedAfterMs >= 1500 && small.closedAfterMs < 3000, `a rest that does not arrive is not waited for: closed ${small.closedAfterMs === undefined ? 'not within 4 s' : `${Math.round(small.closedAfterMs)} ms`} after the answer`)

  const { send, socket } = await connection(url)
  const upload = imageFile(await readFixture('images/flower.jpg'))
  const refused = await send(...post('/predict', upload))
  t.equal(refused.status, 503, 'a small upload sent whole is refused')
  t.equal(refused.headers.connection, 'keep-alive')
  t.equal((await send('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')).status, 200, 'and its connection carries the next request')
  socket.destroy()
})

t.test('an answer given once the body has arrived keeps the connection, error or not', async t => {
  const url = await listen(t)
  const { send, socket } = await connection(url)
  const cases: Array<[string, { payload: Buffer, headers: Record<string, string> }, number, string | undefined]> = [
    ['a photo', imageFile(await readFixture('images/flower.jpg')), 200, undefined],
    ['a text file', imageFile(await readFixture('images/not-an-image.txt'), 'notes.txt', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a truncated JPEG', imageFile(await readFixture('images/flower-truncated.jpg')), 422, 'UNDECODABLE_IMAGE'],
    ['the photo in the wrong field', multipart([{ name: 'image', filename: 'a.jpg', contentType: 'image/jpeg', content: await readFixture('images/flower.jpg') }]), 400, 'NO_FILE']
  ]
  for (const [name, upload, status, code] of cases) {
    const answer = await send(...post('/predict', upload))
    t.equal(answer.status, status, `${name}: ${status}`)
    t.equal(answer.body.code, code)
    t.equal(answer.headers.connection, 'keep-alive', `${name}: the connection is kept`)
  }
  t.equal((await send('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')).status, 200, 'and carries the next request')
  t.notOk(socket.destroyed)
  socket.destroy()
})
