import fp from 'fastify-plugin'
import type { StageTimings } from '../services/observability/metrics.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Milliseconds spent in each stage of the request; the inference routes fill decode, queue and infer. */
    timings: StageTimings
  }
}

export default fp(async function timings (fastify) {
  fastify.decorateRequest('timings', null as unknown as StageTimings)
  fastify.addHook('onRequest', async (request) => {
    request.timings = {}
  })
}, { name: 'timings' })
