import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { checkRequestLimits, classifyImages, type ClassifiedImages } from '../services/inference.js'
import type { ServedModel } from '../services/served-model.js'

export interface InferenceCall {
  /** The model's name; the default model when not given. */
  model?: string
  /** Its repository version; the latest serving one when not given. */
  version?: string
  /** The encoded images; an Error in place of one is that image's answer. */
  inputs: Array<Buffer | Error>
  topK?: number
}

export type Classify = (request: FastifyRequest, reply: FastifyReply, call: InferenceCall) => Promise<ClassifiedImages & { model: ServedModel }>

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * What every protocol's route calls: holds a serving version for the request, classifies its images, and
     * records the stages, the model and the version for Server-Timing, metrics and the log.
     */
    classify: Classify
  }
}

export default fp(async function inference (fastify) {
  const { MAX_REQUEST_TIMEOUT_MS, MAX_IMAGES_PER_REQUEST, MAX_REQUEST_BYTES } = fastify.config
  const limits = { maxImages: MAX_IMAGES_PER_REQUEST, maxBytes: MAX_REQUEST_BYTES }

  const classify: Classify = async (request, reply, call) => {
    checkRequestLimits(call.inputs, limits)
    const header = Number(request.headers['x-request-timeout-ms'])
    const timeout = Math.min(Number.isInteger(header) && header > 0 ? header : MAX_REQUEST_TIMEOUT_MS, MAX_REQUEST_TIMEOUT_MS)
    const deadline = performance.now() - reply.elapsedTime + timeout
    return fastify.models.use(call.model ?? fastify.models.defaultName, call.version, async model => {
      request.servedBy = { name: model.name, version: model.version, repositoryVersion: model.repositoryVersion }
      request.log = request.log.child({ model: model.name, modelVersion: model.version, repositoryVersion: model.repositoryVersion })
      const classified = await classifyImages(model, fastify.images, call.inputs, { topK: call.topK, deadline })
      Object.assign(request.timings, classified.timings)
      request.log.debug({ batchSize: classified.batchSize, images: call.inputs.length }, 'inference batch')
      return { ...classified, model }
    })
  }
  fastify.decorate('classify', classify)
}, { name: 'inference', dependencies: ['config', 'model', 'images', 'timings'] })
