import fp from 'fastify-plugin'
import { Readiness } from '../services/admission/readiness.js'

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness
  }
}

/**
 * Readiness for probes and load balancers: ready once every plugin (the model, loaded and warmed up) is ready,
 * draining from `readiness.drain()` (server.ts on SIGTERM/SIGINT) or `close()`. While draining, every response
 * closes its connection, so keep-alive clients and proxies reconnect, and reach another instance once the
 * listener is closed.
 */
export default fp(async function health (fastify) {
  const readiness = new Readiness()
  let idleCloser: NodeJS.Timeout | undefined

  fastify.decorate('readiness', readiness)
  fastify.addHook('onReady', async () => readiness.markReady())
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (readiness.draining) reply.header('Connection', 'close')
    return payload
  })
  fastify.addHook('preClose', async () => {
    readiness.drain()
    // server.close() closes the connections idle at that moment only; one busy then, whose response went out
    // before draining began, would otherwise stay open until the keep-alive timeout and hold the shutdown.
    idleCloser = setInterval(() => fastify.server.closeIdleConnections(), 500).unref()
  })
  fastify.addHook('onClose', async () => clearInterval(idleCloser))
}, { name: 'health' })
