import fp from 'fastify-plugin'

/** Milliseconds spent in each stage of a request; /predict fills decode, preprocess, queue and infer. */
export type StageTimings = Partial<Record<'decode' | 'preprocess' | 'queue' | 'infer', number>>

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
