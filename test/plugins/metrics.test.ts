import { connect, type AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import app, { serverOptions } from '../../app.js'
import { loadConfig } from '../../services/common/config.js'
import { captureLogs, imageFile, readFixture } from '../helper.js'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

t.test('clients that go away: counted in http_requests_total (499 CLIENT_CLOSED), logged without an error or a stack', async t => {
  const config = loadConfig({ INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '1' })
  const logs = captureLogs()
  const server = Fastify({ ...serverOptions(config), logger: { level: 'info', stream: logs.stream } })
  t.teardown(() => server.close())
  await server.register(app, { config })
  await server.listen({ port: 0, host: '127.0.0.1' })
  const { port } = server.server.address() as AddressInfo
  const send = async (data: Buffer) => {
    const socket = connect(port, '127.0.0.1')
    await new Promise(resolve => socket.once('connect', resolve))
    socket.on('error', () => {})
    socket.write(data)
    return socket
  }
  const upload = imageFile(await readFixture('images/flower.jpg'))
  const head = (length: number) => Buffer.from(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: ${upload.headers['content-type']}\r\nContent-Length: ${length}\r\n\r\n`)

  // Whole request sent, then gone before the answer: its inference runs.
  const whole = await send(Buffer.concat([head(upload.payload.length), upload.payload]))
  await sleep(20)
  whole.destroy()
  // Gone halfway through its upload.
  const half = await send(Buffer.concat([head(upload.payload.length), upload.payload.subarray(0, 1000)]))
  await sleep(200)
  half.destroy()
  await sleep(1500)

  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const closed = /^http_requests_total\{method="POST",route="\/predict",status_code="499",code="CLIENT_CLOSED"\} (\d+)$/m.exec(metrics)
  t.equal(Number(closed?.[1]), 2, 'both counted, once each')
  t.notMatch(metrics, /route="\/predict",status_code="(200|500)"/, 'and not also as answered')
  const errors = logs.lines.filter(l => Number(l.level) >= 50)
  t.same(errors.map(l => l.msg), [], 'no error-level line')
  t.notOk(logs.lines.some(l => typeof (l.err as { stack?: string } | undefined)?.stack === 'string'), 'no stack trace')
})
