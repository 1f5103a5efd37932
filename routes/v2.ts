import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { jsonBodyLimit, probabilityRows } from '../services/inference/classify.js'
import { serviceInfo } from '../services/common/project.js'
import { INPUT_NAME, OUTPUT_NAME, buildOutputs, modelMetadata, readImages, splitBinaryBody, type InferRequest } from '../services/protocols/open-inference.js'
import type { ServedModel } from '../services/models/served-model.js'
import { V2ModelReadySchema, errorResponse, errorResponses, jsonResponse, modelNameParams, modelVersionParams, protocolError, protocolJson } from './schemas.js'

const EXTENSIONS = ['binary_tensor_data', 'classification', 'model_repository']

const ServerMetadataSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  extensions: Type.Array(Type.String(), { description: 'The protocol extensions supported.' })
}, { examples: [{ name: serviceInfo.name, version: serviceInfo.version, extensions: EXTENSIONS }] })

const TensorMetadataSchema = Type.Object({ name: Type.String(), datatype: Type.String(), shape: Type.Array(Type.Integer(), { description: '-1: any size.' }) })

const ModelMetadataSchema = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String(), { description: 'The repository versions serving.' }),
  platform: Type.String({ description: 'The model format and the engine running it.' }),
  inputs: Type.Array(TensorMetadataSchema),
  outputs: Type.Array(TensorMetadataSchema),
  labels: Type.Array(Type.String(), { description: 'The class of each index of the probabilities output.' }),
  parameters: Type.Object({ version: Type.String({ description: 'The model\'s own version, from its manifest.' }), backend: Type.String() })
}, {
  examples: [{
    name: 'food',
    versions: ['1'],
    platform: 'tfjs_graph-model',
    inputs: [{ name: INPUT_NAME, datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [-1, 2] }],
    labels: ['food', 'not_food'],
    parameters: { version: '4.0.0', backend: 'wasm' }
  }]
})

const InferRequestSchema = Type.Object({
  id: Type.Optional(Type.String({ description: 'Echoed in the response.' })),
  parameters: Type.Optional(Type.Object({ binary_data_output: Type.Optional(Type.Boolean({ description: 'Every output as binary data after the JSON.' })) }, { additionalProperties: true })),
  inputs: Type.Array(Type.Object({
    name: Type.String({ description: `The model's one input: "${INPUT_NAME}".` }),
    shape: Type.Array(Type.Integer({ minimum: 0 }), { description: 'The number of images, such as [1] or [3].' }),
    datatype: Type.String({ description: 'BYTES: encoded images (JPEG, PNG, WebP, GIF, AVIF, TIFF).' }),
    parameters: Type.Optional(Type.Object({ binary_data_size: Type.Optional(Type.Integer({ minimum: 0, description: 'Binary tensor data extension: the input\'s bytes follow the JSON.' })) }, { additionalProperties: true })),
    data: Type.Optional(Type.Array(Type.Unknown(), { description: 'The images, base64-encoded strings (nested arrays are flattened).' }))
  }), { description: 'One input.' }),
  outputs: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ description: `The model's one output: "${OUTPUT_NAME}".` }),
    parameters: Type.Optional(Type.Object({
      classification: Type.Optional(Type.Integer({ minimum: 1, description: 'Classification extension: the top N classes as "score:index:label" strings instead of the probabilities.' })),
      binary_data: Type.Optional(Type.Boolean({ description: 'Binary tensor data extension: return this output as binary data after the JSON.' }))
    }, { additionalProperties: true }))
  })))
}, { examples: [{ id: '42', inputs: [{ name: INPUT_NAME, shape: [1], datatype: 'BYTES', data: ['/9j/4AAQSkZJRgABAQAAAQABAAD'] }], outputs: [{ name: OUTPUT_NAME, parameters: { classification: 2 } }] }] })

const InferResponseSchema = Type.Object({
  model_name: Type.String(),
  model_version: Type.String(),
  id: Type.Optional(Type.String()),
  outputs: Type.Array(Type.Object({
    name: Type.String(),
    datatype: Type.String(),
    shape: Type.Array(Type.Integer()),
    parameters: Type.Optional(Type.Object({ binary_data_size: Type.Integer() })),
    data: Type.Optional(Type.Array(Type.Union([Type.Number(), Type.String()])))
  }))
}, {
  examples: [{ model_name: 'food', model_version: '1', id: '42', outputs: [{ name: OUTPUT_NAME, datatype: 'BYTES', shape: [1, 2], data: ['0.97:0:food', '0.03:1:not_food'] }] }]
})

const notFound = protocolError(errorResponses[404])
const badRequest = protocolError(errorResponse(400, 'Bad Request', 'The request does not follow the protocol, or an image is not base64 (`BAD_REQUEST`, `VALIDATION_ERROR`, `TOO_MANY_IMAGES`).',
  { code: 'BAD_REQUEST', message: "Unexpected inference input 'input0': the model's only input is 'image'." }))
const config = { protocolErrors: true }
/** Inference routes also count against the admission limit (plugins/admission.ts). */
const inferenceConfig = { ...config, admission: true }

/**
 * KServe V2 / Open Inference Protocol over REST: server and model metadata, readiness and inference, with the
 * binary tensor data and classification extensions. Images go through the same decoding, batching and metrics
 * as POST /predict.
 */
const v2: FastifyPluginAsyncTypebox = async function v2 (fastify) {
  const { models, readiness, backend } = fastify
  const { MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES } = fastify.config

  function metadata (name: string, version?: string) {
    const model = models.get(name, version)
    return {
      ...modelMetadata(model, version !== undefined ? [model] : models.versions(name)),
      labels: model.labels,
      parameters: { version: model.version, backend: backend.name }
    }
  }

  function ready (name: string, version: string | undefined, reply: FastifyReply) {
    const model: ServedModel = models.get(name, version)
    // Not ready either while none of its workers can start (services/engines/runners.ts).
    const ready = readiness.ready && model.available
    reply.code(ready ? 200 : 503)
    return { name: model.name, ready }
  }

  async function infer (request: FastifyRequest, reply: FastifyReply, name: string, version: string | undefined) {
    let body: InferRequest
    let binary: Buffer | undefined
    if (Buffer.isBuffer(request.body)) {
      const split = splitBinaryBody(request.body, request.headers['inference-header-content-length'] as string | undefined)
      body = split.request as InferRequest
      binary = split.binary
    } else {
      body = request.body as InferRequest
    }
    models.get(name, version)
    const images = readImages(body, binary, MAX_UPLOAD_BYTES)
    const { outcomes, model } = await fastify.classify(request, reply, { model: name, version, inputs: images })
    const { outputs, binary: data } = buildOutputs(body, probabilityRows(outcomes), model.labels)
    const response = { model_name: model.name, model_version: String(model.repositoryVersion), ...(body.id !== undefined ? { id: body.id } : {}), outputs }
    if (data.length === 0) return response
    const header = Buffer.from(JSON.stringify(response))
    reply.header('inference-header-content-length', String(header.length))
    reply.type('application/octet-stream')
    return Buffer.concat([header, ...data])
  }

  fastify.get('/v2', {
    schema: {
      tags: ['kserve-v2'],
      operationId: 'serverMetadata',
      summary: 'Server metadata (Open Inference Protocol)',
      description: 'The server\'s name, version and the protocol extensions it supports.',
      response: { 200: protocolJson('Server metadata.', ServerMetadataSchema) }
    }
  }, async function serverMetadata () {
    return { name: serviceInfo.name, version: serviceInfo.version, extensions: EXTENSIONS }
  })

  const metadataSchema = (versioned: boolean) => ({
    tags: ['kserve-v2'],
    operationId: versioned ? 'modelVersionMetadata' : 'modelMetadata',
    summary: versioned ? 'Model version metadata (Open Inference Protocol)' : 'Model metadata (Open Inference Protocol)',
    description: `The model's versions, platform, its input (${INPUT_NAME}: BYTES, encoded images) and output (${OUTPUT_NAME}: FP32, one probability per label), and its labels.`,
    params: versioned ? modelVersionParams : modelNameParams,
    response: { 200: protocolJson('Model metadata.', ModelMetadataSchema), 404: notFound }
  })
  fastify.get('/v2/models/:name', { config, schema: metadataSchema(false) }, async function modelMetadata (request) {
    return metadata((request.params as { name: string }).name)
  })
  fastify.get('/v2/models/:name/versions/:version', { config, schema: metadataSchema(true) }, async function modelVersionMetadata (request) {
    const { name, version } = request.params as { name: string, version: string }
    return metadata(name, version)
  })

  const readySchema = (versioned: boolean) => ({
    tags: ['kserve-v2'],
    operationId: versioned ? 'modelVersionReady' : 'modelReady',
    summary: versioned ? 'Model version readiness (Open Inference Protocol)' : 'Model readiness (Open Inference Protocol)',
    description: 'Whether the model can answer: 200 when it is loaded and the server is ready, 503 while starting or draining, 404 for a model (or version) that is not loaded.',
    params: versioned ? modelVersionParams : modelNameParams,
    response: {
      200: jsonResponse('The model can answer.', V2ModelReadySchema),
      404: notFound,
      503: jsonResponse('Starting or draining: send traffic elsewhere.', V2ModelReadySchema, { name: 'food', ready: false })
    }
  })
  fastify.get('/v2/models/:name/ready', { config, logLevel: 'warn', schema: readySchema(false) }, async function modelReady (request, reply) {
    return ready((request.params as { name: string }).name, undefined, reply)
  })
  fastify.get('/v2/models/:name/versions/:version/ready', { config, logLevel: 'warn', schema: readySchema(true) }, async function modelVersionReady (request, reply) {
    const { name, version } = request.params as { name: string, version: string }
    return ready(name, version, reply)
  })

  const inferSchema = (versioned: boolean) => ({
    tags: ['kserve-v2'],
    operationId: versioned ? 'modelVersionInfer' : 'modelInfer',
    summary: versioned ? 'Classify images with a model version (Open Inference Protocol)' : 'Classify images (Open Inference Protocol)',
    description: `One BYTES input, "${INPUT_NAME}", of shape [N]: N encoded images, base64 strings in JSON, or raw with the binary tensor data extension (Content-Type application/octet-stream, the JSON header first, its length in the Inference-Header-Content-Length header, each image a 4-byte little-endian length then its bytes). Answers the FP32 output "${OUTPUT_NAME}" of shape [N, labels] (label order in the model metadata), or with parameters.classification = K the top K classes as "score:index:label" strings; with binary_data the output comes as binary after the JSON. The request id is echoed. Errors are {"error": "..."} (with the service's code and status). At most ${fastify.config.MAX_IMAGES_PER_REQUEST} images and ${MAX_REQUEST_BYTES} bytes of images per request.`,
    params: versioned ? modelVersionParams : modelNameParams,
    consumes: ['application/json', 'application/octet-stream'],
    body: {
      content: {
        'application/json': { schema: InferRequestSchema },
        'application/octet-stream': { schema: Type.Unsafe<Buffer>({ isBinary: true, description: 'Binary tensor data extension: the JSON request (its byte length in Inference-Header-Content-Length), then the binary data of each input with binary_data_size.' }) }
      }
    },
    headers: Type.Object({ 'inference-header-content-length': Type.Optional(Type.Integer({ minimum: 0, description: 'Binary tensor data extension: the byte length of the JSON at the start of the body.' })) }),
    response: {
      200: {
        description: 'The outputs; with binary outputs, the JSON header then their bytes (Inference-Header-Content-Length gives the JSON\'s length).',
        content: {
          'application/json': protocolJson('', InferResponseSchema).content['application/json'],
          'application/octet-stream': { schema: { type: 'string', format: 'binary' }, example: '{"model_name":"food","model_version":"1","outputs":[{"name":"probabilities","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8}}]}<8 bytes>' }
        }
      },
      400: badRequest,
      404: notFound,
      413: protocolError(errorResponses[413]),
      415: protocolError(errorResponses[415]),
      422: protocolError(errorResponses[422]),
      500: protocolError(errorResponses[500]),
      503: { ...protocolError(errorResponses[503]), headers: errorResponses[503].headers }
    }
  })
  const bodyLimit = jsonBodyLimit(MAX_REQUEST_BYTES)
  fastify.post('/v2/models/:name/infer', { config: inferenceConfig, bodyLimit, schema: inferSchema(false) }, async function modelInfer (request, reply) {
    return infer(request, reply, (request.params as { name: string }).name, undefined)
  })
  fastify.post('/v2/models/:name/versions/:version/infer', { config: inferenceConfig, bodyLimit, schema: inferSchema(true) }, async function modelVersionInfer (request, reply) {
    const { name, version } = request.params as { name: string, version: string }
    return infer(request, reply, name, version)
  })
}

export default v2
