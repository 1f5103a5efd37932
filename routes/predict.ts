import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { MultipartFile } from '@fastify/multipart'
import Type from 'typebox'
import { ErrorCodes, ServiceError, noFile } from '../services/errors.js'
import { describeFormats } from '../services/image.js'
import { PredictionSchema, errorResponses, jsonResponse } from './schemas.js'

type UploadBody = { file: MultipartFile } | Buffer | undefined

async function uploadedBytes (request: FastifyRequest): Promise<Buffer> {
  const body = request.body as UploadBody
  if (body === undefined || body === null) throw noFile()
  if (!Buffer.isBuffer(body) && !request.isMultipart()) {
    // Fastify's own JSON and text parsers accept those bodies; they are not images.
    throw new ServiceError(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 415, `Unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send multipart/form-data with the field "file", or a raw body with an image/* or application/octet-stream content type.`)
  }
  const bytes = Buffer.isBuffer(body) ? body : await body?.file?.toBuffer()
  if (bytes === undefined || bytes.length === 0) throw noFile()
  return bytes
}

const predict: FastifyPluginAsyncTypebox = async function predict (fastify) {
  const { MAX_UPLOAD_BYTES, MAX_PIXELS, MAX_REQUEST_TIMEOUT_MS } = fastify.config
  const limits = `At most ${MAX_UPLOAD_BYTES} bytes (MAX_UPLOAD_BYTES) and ${MAX_PIXELS} pixels (MAX_PIXELS, read from the header before decoding).`
  const formats = describeFormats()
  const binary = { isBinary: true, description: `The image file itself. ${limits}` }

  fastify.post('/predict', {
    config: { admission: true },
    schema: {
      tags: ['inference'],
      operationId: 'predict',
      summary: 'Classify an image',
      description: `Send an image as the multipart field \`file\` (as the original tutorial did), or as a raw body with an image content type. ${formats} ${limits} Answers the most probable label, its probability, and every label's probability, most probable first.`,
      consumes: ['multipart/form-data', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff', 'application/octet-stream'],
      headers: Type.Object({
        'x-request-timeout-ms': Type.Optional(Type.Integer({ minimum: 1, description: `How long the client will wait, in ms (capped at ${MAX_REQUEST_TIMEOUT_MS}, MAX_REQUEST_TIMEOUT_MS). A request whose deadline cannot be met is refused at once with 503 DEADLINE_EXCEEDED instead of timing out later.` }))
      }),
      querystring: Type.Object({
        topK: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Return only the topK most probable labels in `predictions`.' }))
      }),
      body: {
        content: {
          'multipart/form-data': {
            schema: Type.Object({
              file: Type.Unsafe<MultipartFile>({ isFile: true, description: `The image file. ${limits}` })
            }, { required: ['file'] })
          },
          'application/octet-stream': { schema: Type.Unsafe<Buffer>(binary) },
          'image/*': { schema: Type.Unsafe<Buffer>(binary) }
        }
      },
      response: {
        200: jsonResponse('The most probable label, its probability, and every label\'s probability, most probable first.', PredictionSchema),
        400: errorResponses[400],
        408: errorResponses[408],
        413: errorResponses[413],
        415: errorResponses[415],
        422: errorResponses[422],
        500: errorResponses[500],
        503: errorResponses[503]
      }
    }
  }, async function predictImage (request, reply) {
    const model = fastify.models.default
    const timeout = Math.min(request.headers['x-request-timeout-ms'] ?? MAX_REQUEST_TIMEOUT_MS, MAX_REQUEST_TIMEOUT_MS)
    const deadline = performance.now() - reply.elapsedTime + timeout
    const bytes = await uploadedBytes(request)
    // Refuse before decoding when the queue would refuse anyway: an overloaded server should not spend CPU on it.
    model.admit(deadline)
    const image = await fastify.images.preprocess(bytes, model.inputSpec)
    request.timings.decode = image.timings.decode
    const { queueMs, inferMs, batchSize, ...result } = await model.classify(image.pixels, { topK: request.query.topK, deadline })
    request.timings.queue = queueMs
    request.timings.infer = inferMs
    request.log.debug({ batchSize }, 'inference batch')
    return {
      ...result,
      warnings: image.warnings,
      model: { name: model.name, version: model.version },
      backend: fastify.backend.name
    }
  })
}

export default predict
