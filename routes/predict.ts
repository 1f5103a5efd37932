import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { MultipartFile } from '@fastify/multipart'
import Type, { type Static } from 'typebox'
import { ErrorCodes, ServiceError, envelopeOf, noFile } from '../services/common/errors.js'
import { describeFormats } from '../services/image/probe.js'
import { decodeBase64 } from '../services/inference/classify.js'
import { ImageErrorSchema, PredictionResultsSchema, PredictionSchema, errorResponses, ref } from './schemas.js'

interface JsonImages { image?: string, images?: string[] }
type UploadBody = { file: MultipartFile | MultipartFile[] } | Buffer | JsonImages | undefined

/** The images of a request, and whether it asked for one answer or a list (`{"results": [...]}`). */
async function uploadedImages (request: FastifyRequest, maxUploadBytes: number): Promise<{ inputs: Array<Buffer | ServiceError>, several: boolean }> {
  const body = request.body as UploadBody
  if (body === undefined || body === null) throw noFile()
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw noFile()
    return { inputs: [body], several: false }
  }
  if (request.isMultipart()) {
    const { file } = body as { file?: MultipartFile | MultipartFile[] }
    const files = Array.isArray(file) ? file : file === undefined ? [] : [file]
    const inputs = await Promise.all(files.map(f => f.toBuffer()))
    if (inputs.length === 0 || (inputs.length === 1 && inputs[0].length === 0)) throw noFile()
    return { inputs, several: files.length > 1 }
  }
  if (/^application\/json/.test(String(request.headers['content-type']))) {
    const { image, images } = body as JsonImages
    if ((image === undefined) === (images === undefined)) {
      throw new ServiceError(ErrorCodes.NO_FILE, 400, 'No image received: send {"image": "<base64>"} for one image, or {"images": ["<base64>", ...]} for several.')
    }
    if (image !== undefined) return { inputs: [decodeBase64(image, 'image', maxUploadBytes)], several: false }
    if (images!.length === 0) throw new ServiceError(ErrorCodes.NO_FILE, 400, 'No image received: "images" is empty.')
    // Each image is checked alone: one that is not base64 gets its own error, the others are answered.
    return {
      inputs: images!.map((text, i) => {
        try {
          return decodeBase64(text, `images[${i}]`, maxUploadBytes)
        } catch (err) {
          return err as ServiceError
        }
      }),
      several: true
    }
  }
  // Fastify's own text parser accepts those bodies; they are not images.
  throw new ServiceError(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, 415, `Unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send multipart/form-data with the field "file", a raw body with an image/* or application/octet-stream content type, or JSON with a base64 "image".`)
}

const predict: FastifyPluginAsyncTypebox = async function predict (fastify) {
  const { MAX_UPLOAD_BYTES, MAX_PIXELS, MAX_REQUEST_TIMEOUT_MS, MAX_IMAGES_PER_REQUEST, MAX_REQUEST_BYTES } = fastify.config
  const limits = `At most ${MAX_UPLOAD_BYTES} bytes (MAX_UPLOAD_BYTES) and ${MAX_PIXELS} pixels (MAX_PIXELS, read from the header before decoding).`
  const batchLimits = `At most ${MAX_IMAGES_PER_REQUEST} images (MAX_IMAGES_PER_REQUEST, more is a 400 TOO_MANY_IMAGES) and ${MAX_REQUEST_BYTES} bytes of images (MAX_REQUEST_BYTES, more is a 413) per request.`
  const formats = describeFormats()
  const binary = { isBinary: true, description: `The image file itself. ${limits}` }
  const base64 = (description: string) => Type.String({ description })

  fastify.post('/predict', {
    config: { admission: true },
    schema: {
      tags: ['inference'],
      operationId: 'predict',
      summary: 'Classify an image, or several',
      description: `Send an image as the multipart field \`file\`, as a raw body with an image content type, or base64-encoded in JSON (\`{"image": "..."}\`); the default model (DEFAULT_MODEL) answers. ${formats} ${limits} Answers the most probable label, its probability, and every label's probability, most probable first. Several images in one request (the field \`file\` repeated, or \`{"images": [...]}\`) are classified together and answered as \`{"results": [...]}\`, one entry per image in order, each its prediction or its own error envelope. ${batchLimits}`,
      consumes: ['multipart/form-data', 'application/json', 'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff', 'application/octet-stream'],
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
              file: Type.Unsafe<MultipartFile | MultipartFile[]>({ isFiles: true, description: `The image file; repeat the field for several images. ${limits} ${batchLimits}` })
            }, { required: ['file'] })
          },
          'application/json': {
            schema: Type.Object({
              image: Type.Optional(base64('One image, its bytes base64-encoded (a data: URL is accepted too).')),
              images: Type.Optional(Type.Array(base64('An image, base64-encoded.'), { description: `Several images, each base64-encoded: answered as {"results": [...]}. ${batchLimits}` }))
            }, { description: 'One of image or images.', examples: [{ image: '/9j/4AAQSkZJRgABAQAAAQABAAD' }] })
          },
          'application/octet-stream': { schema: Type.Unsafe<Buffer>(binary) },
          'image/*': { schema: Type.Unsafe<Buffer>(binary) }
        }
      },
      response: {
        200: {
          description: 'One image: the most probable label, its probability, and every label\'s probability, most probable first. Several: {"results": [...]}, one entry per image.',
          content: {
            'application/json': {
              schema: Type.Union([ref(PredictionSchema), ref(PredictionResultsSchema)]),
              examples: {
                one: { summary: 'One image', value: (PredictionSchema as { examples?: unknown[] }).examples?.[0] },
                several: { summary: 'Several images', value: (PredictionResultsSchema as { examples?: unknown[] }).examples?.[0] }
              }
            }
          }
        },
        400: errorResponses[400],
        404: errorResponses[404],
        408: errorResponses[408],
        413: errorResponses[413],
        415: errorResponses[415],
        422: errorResponses[422],
        500: errorResponses[500],
        503: errorResponses[503]
      }
    }
  }, async function predictImage (request, reply) {
    const { inputs, several } = await uploadedImages(request, MAX_UPLOAD_BYTES)
    const { outcomes, model } = await fastify.classify(request, reply, { inputs, topK: request.query.topK })
    const answers = outcomes.map(outcome => {
      if (outcome.status === 'rejected') return outcome
      const { probabilities, ...answer } = outcome.value
      return { status: 'fulfilled' as const, value: { ...answer, model: { name: model.name, version: model.version }, backend: fastify.backend.name } }
    })
    if (!several) {
      const [only] = answers
      if (only.status === 'rejected') throw only.reason
      return only.value
    }
    return {
      results: answers.map(a => {
        if (a.status === 'fulfilled') return a.value
        if (!(a.reason instanceof ServiceError)) request.log.error({ err: a.reason }, 'one image of several failed')
        return envelopeOf(a.reason) as Static<typeof ImageErrorSchema>
      })
    }
  })
}

export default predict
