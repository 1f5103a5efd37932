import fp from 'fastify-plugin'
import { refusedAtAdmission } from './admission.js'

/**
 * Fastify's two lines per request ("incoming request", "request completed"), written from hooks registered after
 * admission instead of by Fastify itself (app.ts turns its own off): a request refused at admission writes neither,
 * so a flood of refusals costs no log I/O. The lines are the same as Fastify's.
 */
export default fp(async function requestLog (fastify) {
  fastify.addHook('onRequest', function logIncoming (request, _reply, done) {
    request.log.info({ req: request }, 'incoming request')
    done()
  })
  fastify.addHook('onResponse', function logCompleted (request, reply, done) {
    if (!refusedAtAdmission(request)) reply.log.info({ res: reply, responseTime: reply.elapsedTime }, 'request completed')
    done()
  })
}, { name: 'request-log', dependencies: ['admission'] })
