import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'
import t from 'tap'
import app, { options } from '../../app.js'
import { captureLogs, imageFile, labelledPhoto } from '../helper.js'

t.test('answered requests write their two lines; a request refused at admission writes none', async t => {
  const { stream, lines } = captureLogs()
  const server = Fastify({ ...options, logger: { level: 'info', stream } })
  await server.register(app, { env: { INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '1', ADMISSION_LIMIT: '1' } })
  t.teardown(() => server.close())
  const upload = imageFile(await readFile((await labelledPhoto()).path))
  const send = (id: string) => server.inject({ method: 'POST', url: '/predict', payload: upload.payload, headers: { ...upload.headers, 'x-request-id': id } })
  // Two at once against a limit of one: one is classified, the other refused.
  const [a, b] = await Promise.all([send('first-1'), send('second-2')])
  const refused = a.statusCode === 503 ? 'first-1' : 'second-2'
  const served = refused === 'first-1' ? 'second-2' : 'first-1'
  t.same([a.statusCode, b.statusCode].sort(), [200, 503])
  t.same(lines.filter(l => l.reqId === served).map(l => l.msg), ['incoming request', 'request completed'])
  t.match(lines.find(l => l.reqId === served && l.msg === 'incoming request'), { req: { method: 'POST', url: '/predict' } })
  t.match(lines.find(l => l.reqId === served && l.msg === 'request completed'), { res: { statusCode: 200 }, responseTime: Number })
  t.same(lines.filter(l => l.reqId === refused), [], 'the refusal wrote nothing')
})
