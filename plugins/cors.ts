import fp from 'fastify-plugin'
import fastifyCors from '@fastify/cors'
import { parseList } from '../services/common/config.js'

/** What a page on another origin may read from a response: timings, the request id, and when to retry. */
export const EXPOSED_HEADERS = ['Server-Timing', 'X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']

/**
 * CORS for the origins in CORS_ORIGINS only; off when it is empty. A request from any other origin gets no CORS
 * header at all (its preflight is a 404), so the browser refuses to show the page the response.
 */
export default fp(async function cors (fastify) {
  const origins = parseList(fastify.config.CORS_ORIGINS)
  if (origins.length === 0) return
  const any = origins.includes('*')
  const allowed = new Set(origins)
  await fastify.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && (any || allowed.has(origin)) ? origin : false),
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'X-Request-Id', 'X-Request-Timeout-Ms'],
    exposedHeaders: EXPOSED_HEADERS,
    // Browsers cap it (Chromium: 2 hours); ten minutes keeps a changed allowlist effective soon.
    maxAge: 600
  })
}, { name: 'cors', dependencies: ['config'] })
