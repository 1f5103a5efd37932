import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'
import t from 'tap'
import app, { options } from '../../app.js'
import { captureLogs, holdAdmissionSlot, imageFile, labelledPhoto } from '../helper.js'

t.test('answered requests write their two lines; a request refused at admission writes none', async t => {
  const { stream, lines } = captureLogs()
  const server = Fastify({ ...options, logger: { level: 'info', stream } })
  await server.register(app, { env: { INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '1', ADMISSION_LIMIT: '1' } })
  t.teardown(() => server.close())
  const upload = imageFile(await readFile((await labelledPhoto()).path))
  const send = (id: string) => server.inject({ method: 'POST', url: '/predict', payload: upload.payload, headers: { ...upload.headers, 'x-request-id': id } })
  // Every slot taken (a request being worked on holds it): the next is refused in the first hook; then, with the
  // slot free, one is classified. (A refusal once the body has arrived, by a slot taken meanwhile, was logged
  // as incoming: its body was read, it is not the cheap refusal.)
  await server.ready()
  const slot = await holdAdmissionSlot(server)
  const a = await send('first-1')
  slot.destroy()
  const b = await send('second-2')
  const refused = 'first-1'
  const served = 'second-2'
  t.same([a.statusCode, b.statusCode], [503, 200])
  t.same(lines.filter(l => l.reqId === served).map(l => l.msg), ['incoming request', 'request completed'])
  t.match(lines.find(l => l.reqId === served && l.msg === 'incoming request'), { req: { method: 'POST', url: '/predict' } })
  t.match(lines.find(l => l.reqId === served && l.msg === 'request completed'), { res: { statusCode: 200 }, responseTime: Number })
  t.same(lines.filter(l => l.reqId === refused), [], 'the refusal wrote nothing')
})
