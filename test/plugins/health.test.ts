import { request, Agent } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { options } from '../../app.js'
import health from '../../plugins/health.js'

interface Answer { status?: number, connection?: string, body?: string, error?: string }

function get (port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise(resolve => {
    request({ host: '127.0.0.1', port, path, agent }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }))
    }).on('error', err => resolve({ error: (err as NodeJS.ErrnoException).code })).end()
  })
}

t.test('readiness starts as starting and turns ready when every plugin is ready', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(health)
  t.equal(app.readiness.state, 'starting')
  await app.ready()
  t.equal(app.readiness.state, 'ready')
  await app.close()
  t.equal(app.readiness.state, 'draining', 'close() drains too, also when no signal did')
})

async function slowApp (t: Test) {
  const app = Fastify(options)
  await app.register(health)
  app.get('/slow', async () => {
    await new Promise(resolve => setTimeout(resolve, 300))
    return 'done'
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => { agent.destroy(); return app.close() })
  return { app, port, agent }
}

t.test('while draining, requests are still answered, each closing its connection', async t => {
  const { app, port, agent } = await slowApp(t)
  t.match(await get(port, '/slow', agent), { status: 200, connection: 'keep-alive' })
  app.readiness.drain()
  t.match(await get(port, '/slow', agent), { status: 200, body: 'done', connection: 'close' }, 'on the kept-alive connection')
  t.match(await get(port, '/slow', agent), { status: 200, body: 'done', connection: 'close' }, 'and on a new one: the listener stays open until close()')
})

t.test('on close, the request in flight is answered, close does not wait for the keep-alive timeout, and the listener is closed', async t => {
  const { app, port, agent } = await slowApp(t)
  t.match(await get(port, '/slow', agent), { status: 200, connection: 'keep-alive' }, 'a kept-alive connection, idle when close begins')
  const inFlight = get(port, '/slow', new Agent({ keepAlive: true }))
  await new Promise(resolve => setTimeout(resolve, 100))
  const started = Date.now()
  const closed = app.close()
  t.match(await inFlight, { status: 200, body: 'done', connection: 'close' }, 'the request in flight is answered, and its connection closed')
  await closed
  t.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms, not the keep-alive timeout`)
  t.match(await get(port, '/slow', agent), { error: 'ECONNREFUSED' }, 'the listener is closed')
})
