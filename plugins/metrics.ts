import fp from 'fastify-plugin'
import { ServiceMetrics } from '../services/observability/metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics
  }
}

/** The `code` of an error envelope, read back from the serialized body. */
function errorCodeOf (payload: unknown): string {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return ''
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code
    return typeof code === 'string' ? code : ''
  } catch {
    return ''
  }
}

const errorCodes = new WeakMap<object, string>()

/** Prometheus metrics: each request by route, status and error code, its stage timings, in-flight requests, TF.js memory. */
export default fp(async function metrics (fastify) {
  const service = new ServiceMetrics({ backend: fastify.backend.name })
  const { models } = fastify
  fastify.decorate('metrics', service)
  const describeModels = () => service.setModels(models.list().map(m => ({ name: m.name, version: m.version, sha256: m.digest })))
  // Versions come and go with repository loads and unloads: the model info follows, and each new version reports
  // its batches and queue depth.
  models.listen({
    started: model => {
      model.observe({
        onBatch: size => service.observeBatch(size, model),
        onDepth: depth => service.setQueueDepth(depth, model),
        onWorker: event => service.observeWorker(event.type, model)
      })
      describeModels()
    },
    released: () => describeModels()
  })
  // The tensors live in the inference workers, each with its own TF.js engine: sum theirs.
  service.setTensorMemorySource(async () => {
    const all = await Promise.all(models.list().map(m => m.memory()))
    return { numTensors: all.reduce((n, m) => n + m.numTensors, 0), numBytes: all.reduce((n, m) => n + m.numBytes, 0) }
  })

  const observed = new WeakSet<object>()
  fastify.addHook('onRequest', async (request, reply) => {
    service.requestStarted()
    // 'close' comes for every response, also one whose client went away first, unlike onResponse.
    reply.raw.once('close', () => {
      service.requestEnded()
      // A client that went away before its answer still cost the server its work (its inference may have run):
      // counted with nginx's 499, "client closed request", once onResponse has had its chance.
      if (!reply.raw.writableFinished) {
        setImmediate(() => {
          if (observed.has(request)) return
          service.observeRequest({ method: request.method, route: request.routeOptions.url ?? 'not_found', statusCode: 499, code: 'CLIENT_CLOSED', seconds: reply.elapsedTime / 1000 })
        })
      }
    })
  })
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400) errorCodes.set(request, errorCodeOf(payload))
    return payload
  })
  fastify.addHook('onResponse', async (request, reply) => {
    observed.add(request)
    service.observeRequest({
      method: request.method,
      route: request.routeOptions.url ?? 'not_found',
      statusCode: reply.statusCode,
      code: errorCodes.get(request) ?? '',
      seconds: reply.elapsedTime / 1000
    })
    if (request.servedBy !== null && request.timings !== null && Object.keys(request.timings).length > 0) {
      service.observeStages(request.timings, request.servedBy)
    }
  })
}, { name: 'metrics', dependencies: ['model', 'timings'] })
