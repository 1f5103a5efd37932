import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { refusedAtAdmission } from './admission.js'

/**
 * Fastify's two lines per request ("incoming request", "request completed"), written from hooks instead of by
 * Fastify itself (app.ts turns its own off), so that a request refused at admission writes neither: a flood of
 * refusals costs no log I/O. On an inference route the first line is written by a route-level hook added after the
 * admission one (this plugin is registered after plugins/admission.ts); elsewhere by a global hook. Same lines as Fastify's.
 */
export default fp(async function requestLog (fastify) {
  function logIncoming (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    request.log.info({ req: request }, 'incoming request')
    done()
  }
  fastify.addHook('onRequest', function logIncomingUnlessAdmitted (request, reply, done) {
    if (request.routeOptions.config.admission === true) { done(); return }
    logIncoming(request, reply, done)
  })
  fastify.addHook('onRoute', function logAfterAdmission (route) {
    if (route.config?.admission === true) route.onRequest = [...[route.onRequest ?? []].flat(), logIncoming]
  })
  fastify.addHook('onResponse', function logCompleted (request, reply, done) {
    if (!refusedAtAdmission(request)) reply.log.info({ res: reply, responseTime: reply.elapsedTime }, 'request completed')
    done()
  })
}, { name: 'request-log', dependencies: ['admission'] })
