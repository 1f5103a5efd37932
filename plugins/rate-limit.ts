import fp from 'fastify-plugin'
import fastifyRateLimit from '@fastify/rate-limit'
import { rateLimited } from '../services/common/errors.js'
import { isOperationsRoute } from '../services/admission/route-access.js'
import { errorResponses } from '../routes/schemas.js'

/**
 * RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS for each client: its API key when it sends a valid one (so the
 * clients behind one NAT or proxy are told apart), else its address (the forwarded one only from TRUST_PROXY).
 * Past it, 429 RATE_LIMITED with Retry-After and the RateLimit-* headers of the IETF draft. Probes and /metrics
 * are not counted. Registered after api-keys, so a request without a valid key is refused before it is counted.
 */
export default fp(async function rateLimit (fastify) {
  const { RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS } = fastify.config

  fastify.addHook('onRoute', function documentLimit (routeOptions) {
    if (isOperationsRoute(routeOptions.url) || routeOptions.method === 'OPTIONS' || !routeOptions.schema?.response) return
    routeOptions.schema = { ...routeOptions.schema, response: { ...routeOptions.schema.response as object, 429: errorResponses[429] } }
  })
  if (RATE_LIMIT_MAX === 0) return

  await fastify.register(fastifyRateLimit, {
    global: true,
    max: RATE_LIMIT_MAX,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    hook: 'onRequest',
    enableDraftSpec: true,
    keyGenerator: (request) => fastify.apiKeys?.identify(request.headers) ?? request.ip,
    allowList: (request) => isOperationsRoute(request.routeOptions.url ?? ''),
    errorResponseBuilder: (_request, context) => rateLimited(context.max, RATE_LIMIT_WINDOW_MS, Math.max(1, Math.ceil(context.ttl / 1000)))
  })
}, { name: 'rate-limit', dependencies: ['config', 'api-keys'] })
