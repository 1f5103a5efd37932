import fp from 'fastify-plugin'

/** Milliseconds spent in each stage of a request; /predict fills decode, queue and infer. */
export type StageTimings = Partial<Record<'decode' | 'queue' | 'infer', number>>

declare module 'fastify' {
  interface FastifyRequest {
    timings: StageTimings
  }
}

export default fp(async function timings (fastify) {
  fastify.decorateRequest('timings', null as unknown as StageTimings)
  fastify.addHook('onRequest', async (request) => {
    request.timings = {}
  })
}, { name: 'timings' })
