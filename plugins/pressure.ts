import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import { OverloadedError } from '../services/common/errors.js'
import { isOperationsRoute } from '../services/admission/route-access.js'

/** Refuses requests with 503 and Retry-After while the event loop lags or memory is over its limit. */
export default fp(async function pressure (fastify) {
  const { MAX_EVENT_LOOP_DELAY_MS, MAX_RSS_BYTES } = fastify.config
  await fastify.register(underPressure, {
    maxEventLoopDelay: MAX_EVENT_LOOP_DELAY_MS,
    maxRssBytes: MAX_RSS_BYTES,
    retryAfter: 1,
    pressureHandler: (request, _reply, type, value) => {
      if (isOperationsRoute(request.routeOptions.url ?? '')) return
      return Promise.reject(new OverloadedError('OVERLOADED', `The server is overloaded (${type} at ${Math.round(Number(value))}); retry in 1 s.`, 1))
    }
  })
}, { name: 'pressure', dependencies: ['config'] })
