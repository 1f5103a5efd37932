import fp from 'fastify-plugin'

/**
 * Every response names its request: `X-Request-Id` is the id Fastify logs as `reqId`, taken from the client's
 * X-Request-Id when it is a sane token, generated otherwise (app.ts `options.genReqId`).
 */
export default fp(async function requestId (fastify) {
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Request-Id', request.id)
    return payload
  })
}, { name: 'request-id' })
