import fp from 'fastify-plugin'
import type { IncomingHttpHeaders } from 'node:http'
import { bodyTimeout } from '../services/common/errors.js'

const hasBody = (headers: IncomingHttpHeaders): boolean =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0

/**
 * A client that trickles its body holds a connection and a buffer: BODY_TIMEOUT_MS after a request began, a body
 * still arriving is cut with 408 BODY_TIMEOUT (in the error envelope, with Connection: close) and the socket is
 * destroyed once the answer is written. The clock stops when the body has arrived, so a slow inference is never cut.
 */
export default fp(async function bodyTimeoutPlugin (fastify) {
  const { BODY_TIMEOUT_MS } = fastify.config
  fastify.addHook('onRequest', function startBodyClock (request, reply, done) {
    const raw = request.raw
    if (raw.complete || !hasBody(raw.headers)) return done()
    const timer = setTimeout(() => {
      if (raw.complete || reply.sent) return
      const socket = raw.socket
      reply.raw.once('finish', () => socket.destroy())
      reply.header('connection', 'close')
      reply.send(bodyTimeout(BODY_TIMEOUT_MS))
    }, Math.max(0, BODY_TIMEOUT_MS - reply.elapsedTime))
    const stop = () => clearTimeout(timer)
    raw.once('end', stop)
    reply.raw.once('close', stop)
    done()
  })
}, { name: 'body-timeout', dependencies: ['config'] })
