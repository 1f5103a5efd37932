import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { probabilityRows } from '../services/inference/classify.js'
import { TF_INPUT, classificationResult, classifyRequestImages, predictRequestImages } from '../services/protocols/tf-serving.js'
import type { ServedModel } from '../services/models/served-model.js'
import { errorResponse, errorResponses, modelNameParams, modelVersionParams, protocolError, protocolJson } from './schemas.js'

const VersionStatusSchema = Type.Object({
  model_version_status: Type.Array(Type.Object({
    version: Type.String(),
    state: Type.String({ description: 'AVAILABLE for a serving version.' }),
    status: Type.Object({ error_code: Type.String(), error_message: Type.String() })
  }))
}, { examples: [{ model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }] })

const tensorInfo = (dtype: string, dims: number[], name: string) => ({ dtype, tensor_shape: { dim: dims.map(size => ({ size: String(size), name: '' })), unknown_rank: false }, name })

const MetadataSchema = Type.Object({
  model_spec: Type.Object({ name: Type.String(), signature_name: Type.String(), version: Type.String() }),
  metadata: Type.Object({ signature_def: Type.Unknown({ description: 'The serving_default signature: the image input (DT_STRING, encoded images) and the probabilities output (DT_FLOAT), plus the labels.' }) })
}, {
  examples: [{
    model_spec: { name: 'food', signature_name: '', version: '1' },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: { [TF_INPUT]: tensorInfo('DT_STRING', [-1], `${TF_INPUT}:0`) },
            outputs: { probabilities: tensorInfo('DT_FLOAT', [-1, 2], 'probabilities:0') },
            method_name: 'tensorflow/serving/predict'
          }
        },
        labels: ['food', 'not_food']
      }
    }
  }]
})

const PredictRequestSchema = Type.Object({
  signature_name: Type.Optional(Type.String({ description: 'serving_default, the only signature.' })),
  instances: Type.Optional(Type.Array(Type.Unknown(), { description: 'Row format: one {"b64": "..."} (or {"image": {"b64": "..."}}) per image.' })),
  inputs: Type.Optional(Type.Unknown({ description: 'Columnar format: [{"b64": "..."}, ...] or {"image": [{"b64": "..."}, ...]}.' }))
}, { examples: [{ instances: [{ b64: '/9j/4AAQSkZJRgABAQAAAQABAAD' }] }] })

const PredictResponseSchema = Type.Object({
  predictions: Type.Optional(Type.Array(Type.Array(Type.Number()), { description: 'Row format: per image, the probability of each label, in the model\'s label order.' })),
  outputs: Type.Optional(Type.Array(Type.Array(Type.Number()), { description: 'Columnar format: the same.' }))
}, { examples: [{ predictions: [[0.97, 0.03]] }] })

const ClassifyRequestSchema = Type.Object({
  signature_name: Type.Optional(Type.String()),
  examples: Type.Array(Type.Object({ [TF_INPUT]: Type.Object({ b64: Type.String({ description: 'The encoded image, base64.' }) }) }, { additionalProperties: true }))
}, { examples: [{ examples: [{ image: { b64: '/9j/4AAQSkZJRgABAQAAAQABAAD' } }] }] })

const ClassifyResponseSchema = Type.Object({
  result: Type.Array(Type.Array(Type.Array(Type.Union([Type.String(), Type.Number()]))), { description: 'Per image, [label, score] for each label, in the model\'s label order.' })
}, { examples: [{ result: [[['food', 0.97], ['not_food', 0.03]]] }] })

const config = { protocolErrors: true }
/** Inference routes also count against the admission limit (plugins/admission.ts). */
const inferenceConfig = { ...config, admission: true }
const failures = {
  400: protocolError(errorResponse(400, 'Bad Request', 'The body does not follow the API, or a value is not {"b64": "..."} (`BAD_REQUEST`, `TOO_MANY_IMAGES`).',
    { code: 'BAD_REQUEST', message: 'instances[0] is not {"b64": "<base64>"}: TF Serving sends binary strings, such as encoded images, that way.' })),
  404: protocolError(errorResponses[404]),
  413: protocolError(errorResponses[413]),
  415: protocolError(errorResponses[415]),
  422: protocolError(errorResponses[422]),
  500: protocolError(errorResponses[500]),
  503: { ...protocolError(errorResponses[503]), headers: errorResponses[503].headers }
}

/**
 * TensorFlow Serving's REST API: version status, metadata, :predict and :classify. The image is the `image` input,
 * an encoded image as {"b64": "..."}; the answer is the probability of each label.
 */
const tfserving: FastifyPluginAsyncTypebox = async function tfserving (fastify) {
  const { models } = fastify
  const { MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES } = fastify.config

  const status = (name: string, version?: string) => ({
    model_version_status: (version === undefined ? models.versions(name) : [models.get(name, version)])
      .map(m => ({ version: String(m.repositoryVersion), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }))
  })

  const metadata = (model: ServedModel) => ({
    model_spec: { name: model.name, signature_name: '', version: String(model.repositoryVersion) },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: { [TF_INPUT]: tensorInfo('DT_STRING', [-1], `${TF_INPUT}:0`) },
            outputs: { probabilities: tensorInfo('DT_FLOAT', [-1, model.labels.length], 'probabilities:0') },
            method_name: 'tensorflow/serving/predict'
          }
        },
        labels: model.labels
      }
    }
  })

  /** Classifies the images; any image's error fails the request, as TF Serving has no per-image errors. */
  async function run (request: FastifyRequest, reply: FastifyReply, name: string, version: string | undefined, inputs: Array<Buffer | Error>) {
    models.get(name, version)
    const { outcomes, model } = await fastify.classify(request, reply, { model: name, version, inputs })
    return { model, rows: probabilityRows(outcomes) }
  }

  const statusSchema = (versioned: boolean) => ({
    tags: ['tfserving'],
    operationId: versioned ? 'tfServingVersionStatus' : 'tfServingModelStatus',
    summary: versioned ? 'Model version status (TF Serving)' : 'Model status (TF Serving)',
    description: 'The state of the model\'s serving versions (AVAILABLE), as TF Serving\'s model status API answers; 404 for a model or version that is not loaded.',
    params: versioned ? modelVersionParams : modelNameParams,
    response: { 200: protocolJson('The serving versions.', VersionStatusSchema), 404: failures[404] }
  })
  fastify.get('/v1/models/:name', { config, schema: statusSchema(false) }, async function tfServingModelStatus (request) {
    return status((request.params as { name: string }).name)
  })
  fastify.get('/v1/models/:name/versions/:version', { config, schema: statusSchema(true) }, async function tfServingVersionStatus (request) {
    const { name, version } = request.params as { name: string, version: string }
    return status(name, version)
  })

  const metadataSchema = (versioned: boolean) => ({
    tags: ['tfserving'],
    operationId: versioned ? 'tfServingVersionMetadata' : 'tfServingModelMetadata',
    summary: versioned ? 'Model version metadata (TF Serving)' : 'Model metadata (TF Serving)',
    description: `The serving_default signature: input ${TF_INPUT} (DT_STRING, encoded images as {"b64": "..."}), output probabilities (DT_FLOAT, one per label), and the labels.`,
    params: versioned ? modelVersionParams : modelNameParams,
    response: { 200: protocolJson('The model\'s signature.', MetadataSchema), 404: failures[404] }
  })
  fastify.get('/v1/models/:name/metadata', { config, schema: metadataSchema(false) }, async function tfServingModelMetadata (request) {
    return metadata(models.get((request.params as { name: string }).name))
  })
  fastify.get('/v1/models/:name/versions/:version/metadata', { config, schema: metadataSchema(true) }, async function tfServingVersionMetadata (request) {
    const { name, version } = request.params as { name: string, version: string }
    return metadata(models.get(name, version))
  })

  const predictSchema = (versioned: boolean) => ({
    tags: ['tfserving'],
    operationId: versioned ? 'tfServingVersionPredict' : 'tfServingPredict',
    summary: versioned ? 'Predict with a model version (TF Serving)' : 'Predict (TF Serving)',
    description: `The row format {"instances": [{"b64": "..."}, ...]} is answered {"predictions": [[p, ...], ...]}; the columnar format {"inputs": ...} is answered {"outputs": ...}: per image, the probability of each label in the model's label order (GET .../metadata lists them). At most ${fastify.config.MAX_IMAGES_PER_REQUEST} images and ${MAX_REQUEST_BYTES} bytes of images per request. Errors are {"error": "..."} (with the service's code and status).`,
    params: versioned ? modelVersionParams : modelNameParams,
    body: PredictRequestSchema,
    response: { 200: protocolJson('Probabilities per image.', PredictResponseSchema), ...failures }
  })
  const predictHandler = async (request: FastifyRequest, reply: FastifyReply, name: string, version?: string) => {
    const { images, columnar } = predictRequestImages(request.body, MAX_UPLOAD_BYTES)
    const { rows } = await run(request, reply, name, version, images)
    const values = rows.map(row => [...row])
    return columnar ? { outputs: values } : { predictions: values }
  }
  fastify.post('/v1/models/:name(^[^/:]+)::predict', { config: inferenceConfig, schema: predictSchema(false) }, async function tfServingPredict (request, reply) {
    return predictHandler(request, reply, (request.params as { name: string }).name)
  })
  fastify.post('/v1/models/:name/versions/:version(^[0-9]+)::predict', { config: inferenceConfig, schema: predictSchema(true) }, async function tfServingVersionPredict (request, reply) {
    const { name, version } = request.params as { name: string, version: string }
    return predictHandler(request, reply, name, version)
  })

  const classifySchema = (versioned: boolean) => ({
    tags: ['tfserving'],
    operationId: versioned ? 'tfServingVersionClassify' : 'tfServingClassify',
    summary: versioned ? 'Classify with a model version (TF Serving)' : 'Classify (TF Serving)',
    description: `{"examples": [{"${TF_INPUT}": {"b64": "..."}}, ...]} is answered {"result": [[[label, score], ...], ...]}: per image, every label with its score, in the model's label order. At most ${fastify.config.MAX_IMAGES_PER_REQUEST} images and ${MAX_REQUEST_BYTES} bytes of images per request.`,
    params: versioned ? modelVersionParams : modelNameParams,
    body: ClassifyRequestSchema,
    response: { 200: protocolJson('Labels and scores per image.', ClassifyResponseSchema), ...failures }
  })
  const classifyHandler = async (request: FastifyRequest, reply: FastifyReply, name: string, version?: string) => {
    const { rows, model } = await run(request, reply, name, version, classifyRequestImages(request.body, MAX_UPLOAD_BYTES))
    return { result: classificationResult(rows, model.labels) }
  }
  fastify.post('/v1/models/:name(^[^/:]+)::classify', { config: inferenceConfig, schema: classifySchema(false) }, async function tfServingClassify (request, reply) {
    return classifyHandler(request, reply, (request.params as { name: string }).name)
  })
  fastify.post('/v1/models/:name/versions/:version(^[0-9]+)::classify', { config: inferenceConfig, schema: classifySchema(true) }, async function tfServingVersionClassify (request, reply) {
    const { name, version } = request.params as { name: string, version: string }
    return classifyHandler(request, reply, name, version)
  })
}

export default tfserving
