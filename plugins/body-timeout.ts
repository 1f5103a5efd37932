import fp from 'fastify-plugin'
import { bodyTimeout } from '../services/common/errors.js'
import { bodyStillArriving } from './early-close.js'

/**
 * A client that trickles its body holds a connection and a buffer: BODY_TIMEOUT_MS after a request began, a body
 * still arriving is cut with 408 BODY_TIMEOUT (in the error envelope, with Connection: close: plugins/early-close.ts)
 * and the socket is destroyed once the answer is written. The clock stops when the body has arrived, so a slow
 * inference is never cut.
 */
export default fp(async function bodyTimeoutPlugin (fastify) {
  const { BODY_TIMEOUT_MS } = fastify.config
  fastify.addHook('onRequest', function startBodyClock (request, reply, done) {
    const raw = request.raw
    if (!bodyStillArriving(raw)) return done()
    const timer = setTimeout(() => {
      if (raw.complete || reply.sent) return
      const socket = raw.socket
      // No lingering close (plugins/early-close.ts) for a client that has had its time: destroyed once answered.
      reply.raw.once('finish', () => socket.destroy())
      reply.send(bodyTimeout(BODY_TIMEOUT_MS))
    }, Math.max(0, BODY_TIMEOUT_MS - reply.elapsedTime))
    const stop = () => clearTimeout(timer)
    raw.once('end', stop)
    reply.raw.once('close', stop)
    done()
  })
}, { name: 'body-timeout', dependencies: ['config', 'early-close'] })
