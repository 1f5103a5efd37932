import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { STAGES, type StageTimings } from '../services/observability/metrics.js'

/**
 * With the response cache on, `cache;desc=hit` (every image answered from it), `miss` or `partial` follows the model.
 * `decode;dur=3.1, queue;dur=0.4, infer;dur=41.0, total;dur=47.2`: the stages measured, in order, then the total;
 * first, when a model answered, `model;desc="food/1 4.0.0"` (name, repository version, the model's own version).
 */
export function formatServerTiming (timings: StageTimings, totalMs: number, servedBy?: FastifyRequest['servedBy'], cacheMark?: string | null): string {
  const entries: string[] = []
  if (servedBy != null) entries.push(`model;desc="${servedBy.name}/${servedBy.repositoryVersion} ${servedBy.version}"`)
  if (cacheMark != null) entries.push(`cache;desc=${cacheMark}`)
  for (const stage of STAGES) {
    const ms = timings[stage]
    if (typeof ms === 'number' && Number.isFinite(ms)) entries.push(`${stage};dur=${ms.toFixed(1)}`)
  }
  entries.push(`total;dur=${totalMs.toFixed(1)}`)
  return entries.join(', ')
}

/** Every response carries Server-Timing, so clients and browser dev tools see where the time went. */
export default fp(async function serverTiming (fastify) {
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('Server-Timing', formatServerTiming(request.timings ?? {}, reply.elapsedTime, request.servedBy, request.cacheMark))
    return payload
  })
}, { name: 'server-timing', dependencies: ['timings'] })
