import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import app, { serverOptions } from './app.js'
import { ConfigError, loadConfig } from './services/common/config.js'

let config
try {
  config = loadConfig(process.env)
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

const server = Fastify(serverOptions(config))
server.register(app, { config })

// Drain: readiness turns 503 and responses close their connections; after SHUTDOWN_DELAY_MS the listener closes,
// accepted and queued requests finish, then the model and workers are released. Past SHUTDOWN_TIMEOUT_MS, or on a
// second signal, the process exits 1.
const { SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS } = config
closeWithGrace({
  delay: SHUTDOWN_TIMEOUT_MS,
  // close-with-grace shuts down on SIGUSR2 too; FAULT_INJECTION takes it for its drill (below).
  ...(config.FAULT_INJECTION ? { skip: ['SIGUSR2'] } : {}),
  logger: server.log,
  onTimeout: () => server.log.error({ inFlight: server.metrics?.inFlight }, `shutdown took longer than SHUTDOWN_TIMEOUT_MS=${SHUTDOWN_TIMEOUT_MS}: exiting 1`)
}, async function shutdown ({ signal, err }) {
  const started = performance.now()
  if (server.hasDecorator('readiness')) server.readiness.drain()
  if (err) server.log.error({ err }, 'closing after an uncaught error')
  else server.log.info({ signal, inFlight: server.metrics?.inFlight, delayMs: SHUTDOWN_DELAY_MS, timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'draining: readiness is 503')
  if (!err && SHUTDOWN_DELAY_MS > 0) await sleep(SHUTDOWN_DELAY_MS)
  server.log.info({ inFlight: server.metrics?.inFlight }, 'closing the listener; finishing accepted requests')
  await server.close()
  server.log.info({ ms: Math.round(performance.now() - started) }, 'closed: accepted requests finished, model released')
})

// Fault drills (docs/operations.md, "Workers that die or cannot start"): kill every inference worker as a crash would; they are replaced.
if (config.FAULT_INJECTION) {
  process.on('SIGUSR2', () => {
    const runners = server.hasDecorator('models') ? server.models.list().flatMap(m => m.workerRunners) : []
    server.log.warn({ workers: runners.length }, `FAULT_INJECTION: SIGUSR2, killing ${runners.length} inference workers`)
    for (const runner of runners) void runner.crash()
  })
}

try {
  await server.listen({ port: config.PORT, host: config.HOST })
} catch (err) {
  server.log.fatal({ err }, 'could not start')
  process.exit(1)
}
