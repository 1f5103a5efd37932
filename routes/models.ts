import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { BackendChoice } from '../services/engines/backend.js'
import type { ServedModel } from '../services/models/served-model.js'
import { ModelInfoSchema, ModelListSchema, errorResponses, jsonResponse } from './schemas.js'

const PREPROCESSING_STEPS = [
  'format sniffed from the bytes; the header is checked against MAX_PIXELS before decoding',
  'EXIF orientation applied',
  'first frame of an animation or multi-page file',
  'alpha flattened onto white',
  'converted to 8-bit sRGB',
  'resized to the input size',
  'normalised per channel'
]

export async function describeModel (model: ServedModel, backend: BackendChoice) {
  const spec = model.inputSpec
  return {
    name: model.name,
    version: model.version,
    repositoryVersion: model.repositoryVersion,
    description: model.manifest.description ?? '',
    labels: model.labels,
    format: model.format,
    inputShape: model.inputShape,
    preprocessing: {
      resizeMode: spec.resizeMode,
      normalization: { mean: [...spec.normalization.mean], std: [...spec.normalization.std] },
      steps: PREPROCESSING_STEPS
    },
    uncertainThreshold: model.manifest.uncertainThreshold,
    sha256: model.digest,
    backend: { name: backend.name, package: backend.package, forced: backend.forced, skipped: backend.skipped, ...(backend.adapter === undefined ? {} : { adapter: backend.adapter }) },
    inference: { ...model.settings, ...model.counts, tensors: (await model.memory()).numTensors }
  }
}

const models: FastifyPluginAsyncTypebox = async function models (fastify) {
  fastify.get('/models', {
    schema: {
      tags: ['models'],
      operationId: 'listModels',
      summary: 'List loaded models',
      description: 'Every model version this service serves, with its metadata: the default model (DEFAULT_MODEL, which answers POST /predict) first, then by name, each model\'s newest version first.',
      response: {
        200: jsonResponse('Every loaded model, the default one first.', ModelListSchema),
        500: errorResponses[500]
      }
    }
  }, async function listModels () {
    return { models: await Promise.all(fastify.models.list().map(m => describeModel(m, fastify.backend))) }
  })

  fastify.get('/models/:name', {
    schema: {
      tags: ['models'],
      operationId: 'getModel',
      summary: 'Describe a model',
      description: 'Labels, input shape, preprocessing, version, weights digest and the inference backend (with the reason each better backend was skipped), of the newest serving version.',
      params: Type.Object({ name: Type.String({ description: 'Model name, as listed by GET /models.', examples: ['food'] }) }),
      response: { 200: jsonResponse('The model\'s metadata.', ModelInfoSchema), 404: errorResponses[404], 500: errorResponses[500] }
    }
  }, async function getModel (request) {
    return describeModel(fastify.models.get(request.params.name), fastify.backend)
  })

  fastify.get('/models/:name/versions/:version', {
    schema: {
      tags: ['models'],
      operationId: 'getModelVersion',
      summary: 'Describe a model version',
      description: 'GET /models/{name} for one repository version of the model (the directory number, 1 for a flat model directory).',
      params: Type.Object({
        name: Type.String({ description: 'Model name, as listed by GET /models.', examples: ['food'] }),
        version: Type.String({ description: 'Repository version.', examples: ['1'] })
      }),
      response: { 200: jsonResponse('The model version\'s metadata.', ModelInfoSchema), 404: errorResponses[404], 500: errorResponses[500] }
    }
  }, async function getModelVersion (request) {
    return describeModel(fastify.models.get(request.params.name, request.params.version), fastify.backend)
  })
}

export default models
