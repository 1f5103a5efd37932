/**
 * server.ts as a real process: graceful shutdown under load, on SIGTERM and SIGINT, bounded by SHUTDOWN_TIMEOUT_MS.
 */
import { connect } from 'node:net'
import t from 'tap'
import { LoadGenerator, summarize } from '../scripts/bench/load-generator.js'
import { ServiceProcess, freePort, httpGet } from '../scripts/deploy/service-process.js'
import { readFixture } from './helper.js'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

t.test('SIGTERM under load: readiness turns 503, the listener closes, every accepted request is answered, exit 0', async t => {
  const port = await freePort()
  const delayMs = 3000
  const timeoutMs = 20_000
  const service = new ServiceProcess({ port, env: { SHUTDOWN_DELAY_MS: String(delayMs), SHUTDOWN_TIMEOUT_MS: String(timeoutMs) }, name: 'shutdown-under-load' })
  t.teardown(() => { if (service.running) service.signal('SIGKILL') })
  await service.waitReady()

  const load = new LoadGenerator({ port, uploads: [{ body: await readFixture('images', 'flower.jpg'), contentType: 'image/jpeg' }], concurrency: 6, idPrefix: 'shutdown-', maxRequests: 2000 })
  load.start()
  // Steady state first, however slow the machine: a dozen answers.
  for (const deadline = Date.now() + 60_000; load.records.filter(r => r.status === 200).length < 12 && Date.now() < deadline;) await sleep(100)

  const inFlightAtSignal = load.inFlightIds()
  const signalledAt = service.signal('SIGTERM')
  await sleep(200)
  const [readyWhileDraining, liveWhileDraining] = await Promise.all([httpGet(port, '/health/ready'), httpGet(port, '/health/live')])
  const exit = await service.waitExit(timeoutMs + 10_000)
  const records = await load.stop()

  const summary = summarize(records)
  const byId = new Map(records.map(r => [r.id, r]))
  // Accepted: the process read the request, as its log says (Fastify logs each request with its id on arrival).
  const accepted = service.logged('incoming request').map(line => line.reqId as string).filter(id => id.startsWith('shutdown-'))
  const acceptedAnswered = accepted.filter(id => byId.get(id)?.status === 200)
  const answeredAfterSignal = records.filter(r => r.status === 200 && r.sentAt >= signalledAt)
  const notAccepted = records.filter(r => r.status === undefined)
  const figures = {
    sent: summary.sent,
    answered: summary.answered,
    acceptedByServer: accepted.length,
    acceptedAndAnswered: acceptedAnswered.length,
    inFlightAtSigterm: inFlightAtSignal.length,
    inFlightAtSigtermAnswered: inFlightAtSignal.filter(id => byId.get(id)?.status === 200).length,
    sentAfterSigtermAndAnswered: answeredAfterSignal.length,
    neverAccepted: summarize(notAccepted).failures,
    sigtermToExitMs: exit.at - signalledAt,
    exitCode: exit.code
  }
  t.comment(`shutdown under load: ${JSON.stringify(figures)}`)

  t.equal(exit.code, 0, 'exit 0')
  t.ok(exit.at - signalledAt < timeoutMs, `exited within SHUTDOWN_TIMEOUT_MS (${exit.at - signalledAt} ms)`)
  t.match(readyWhileDraining, { status: 503 }, 'readiness is 503 while draining')
  t.match(JSON.parse(readyWhileDraining.body ?? '{}'), { status: 'draining', ready: false })
  t.equal(liveWhileDraining.status, 200, 'liveness stays 200 while draining')
  t.ok(inFlightAtSignal.length > 0, 'requests were in flight when SIGTERM came')
  t.equal(figures.inFlightAtSigtermAnswered, inFlightAtSignal.length, 'every request in flight at SIGTERM was answered 200')
  t.ok(accepted.length >= 12 + inFlightAtSignal.length, `the server accepted ${accepted.length} requests`)
  t.same(accepted.filter(id => byId.get(id)?.status !== 200), [], 'every request the server accepted was answered 200')
  t.ok(answeredAfterSignal.length > 0, 'requests sent during the drain delay were served')
  t.same(records.filter(r => r.status !== undefined && r.status !== 200), [], 'no error status at all')
  t.same(notAccepted.filter(r => accepted.includes(r.id)), [], 'requests without a response were never accepted (the listener was closed)')
  t.ok(notAccepted.every(r => r.sentAt >= signalledAt), 'and were all sent after SIGTERM')

  t.match(service.logged('draining: readiness is 503'), [{ signal: 'SIGTERM', delayMs, timeoutMs }])
  t.equal(service.logged('closed: accepted requests finished, model released').length, 1)
  const draining = service.logged('draining')[0].time!
  const closing = service.logged('closing the listener')[0].time!
  t.ok(closing - draining >= delayMs - 50, `the listener stayed open for SHUTDOWN_DELAY_MS (${closing - draining} ms)`)
})

t.test('SIGINT on an idle server: the same graceful path, exit 0', async t => {
  const port = await freePort()
  const service = new ServiceProcess({ port, name: 'sigint' })
  t.teardown(() => { if (service.running) service.signal('SIGKILL') })
  await service.waitReady()
  service.signal('SIGINT')
  const exit = await service.waitExit(15_000)
  t.equal(exit.code, 0)
  t.match(service.logged('draining: readiness is 503'), [{ signal: 'SIGINT', delayMs: 0 }])
  t.equal(service.logged('closed:').length, 1)
  t.match(await httpGet(port, '/health/live'), { error: 'ECONNREFUSED' })
})

t.test('a request that never finishes cannot hold the shutdown past SHUTDOWN_TIMEOUT_MS: exit 1', async t => {
  const port = await freePort()
  const timeoutMs = 2000
  const service = new ServiceProcess({ port, env: { SHUTDOWN_TIMEOUT_MS: String(timeoutMs) }, name: 'shutdown-timeout' })
  t.teardown(() => { if (service.running) service.signal('SIGKILL') })
  await service.waitReady()

  // An upload that announces 100 kB and sends 10: the request is accepted and never completes.
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => socket.destroy())
  socket.on('error', () => {})
  await new Promise(resolve => socket.once('connect', resolve))
  socket.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n0123456789')
  await sleep(300)

  const signalledAt = service.signal('SIGTERM')
  const exit = await service.waitExit(timeoutMs + 10_000)
  t.equal(exit.code, 1, 'exit 1: the shutdown did not complete')
  t.ok(exit.at - signalledAt >= timeoutMs - 100 && exit.at - signalledAt < timeoutMs + 3000, `after SHUTDOWN_TIMEOUT_MS (${exit.at - signalledAt} ms)`)
  t.match(service.logged('shutdown took longer than SHUTDOWN_TIMEOUT_MS'), [{ level: 50, inFlight: 1 }])
})
