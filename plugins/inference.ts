import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Inference, cacheMark, observedAnswers, type ClassifiedImages, type InferenceRequest } from '../services/inference/classify.js'
import { ResponseCache } from '../services/inference/response-cache.js'
import type { ServedModel } from '../services/models/served-model.js'

export type InferenceCall = Omit<InferenceRequest, 'deadline'>

export type Classify = (request: FastifyRequest, reply: FastifyReply, call: InferenceCall) => Promise<ClassifiedImages & { model: ServedModel }>

declare module 'fastify' {
  interface FastifyInstance {
    /** The protocols' one way to a model, free of HTTP: the gRPC server calls it directly. */
    inference: Inference
    /**
     * What every HTTP protocol's route calls: holds a serving version for the request, classifies its images, and
     * records the stages, the model and the version for Server-Timing, metrics and the log.
     */
    classify: Classify
  }
  interface FastifyRequest {
    /** The response cache's mark for Server-Timing (hit, miss, partial); null when the cache is off or unused. */
    cacheMark: string | null
  }
}

export default fp(async function inference (fastify) {
  const { MAX_REQUEST_TIMEOUT_MS, MAX_IMAGES_PER_REQUEST, MAX_REQUEST_BYTES, RESPONSE_CACHE_ENTRIES, RESPONSE_CACHE_BYTES } = fastify.config
  const { metrics, models } = fastify
  const cache = RESPONSE_CACHE_ENTRIES > 0 ? new ResponseCache({ maxEntries: RESPONSE_CACHE_ENTRIES, maxBytes: RESPONSE_CACHE_BYTES }) : undefined
  if (cache !== undefined) {
    metrics.setCacheSource(() => ({ entries: cache.size, bytes: cache.bytes }))
    // A version swapped out or unloaded takes its answers with it.
    models.listen({ released: model => cache.dropScope(ResponseCache.scopeOf(model)) })
    fastify.addHook('onClose', async () => cache.clear())
  }
  const service = new Inference({
    models,
    images: fastify.images,
    limits: { maxImages: MAX_IMAGES_PER_REQUEST, maxBytes: MAX_REQUEST_BYTES },
    cache,
    tracer: fastify.tracer ?? undefined,
    backend: fastify.backend.name,
    onClassified (model, classified) {
      metrics.observeAnswers(observedAnswers(classified), model)
      const hits = classified.details.filter(d => d.cache === 'hit').length
      const misses = classified.details.filter(d => d.cache === 'miss').length
      if (hits + misses > 0) metrics.observeCache(hits, misses, model)
    }
  })

  const classify: Classify = async (request, reply, call) => {
    const header = Number(request.headers['x-request-timeout-ms'])
    const timeout = Math.min(Number.isInteger(header) && header > 0 ? header : MAX_REQUEST_TIMEOUT_MS, MAX_REQUEST_TIMEOUT_MS)
    const deadline = performance.now() - reply.elapsedTime + timeout
    const classified = await service.run({ ...call, deadline }, model => {
      request.servedBy = { name: model.name, version: model.version, repositoryVersion: model.repositoryVersion }
      request.log = request.log.child({ model: model.name, modelVersion: model.version, repositoryVersion: model.repositoryVersion })
    })
    Object.assign(request.timings, classified.timings)
    request.cacheMark = cacheMark(classified) ?? null
    request.log.debug({ batchSize: classified.batchSize, images: call.inputs.length, cache: request.cacheMark ?? undefined }, 'inference batch')
    return classified
  }
  fastify.decorate('inference', service)
  fastify.decorate('classify', classify)
  fastify.decorateRequest('cacheMark', null)
}, { name: 'inference', dependencies: ['config', 'tracing', 'model', 'images', 'timings', 'metrics'] })
