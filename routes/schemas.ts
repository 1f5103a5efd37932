import type { FastifyServerOptions } from 'fastify'
import Type from 'typebox'

export const ERROR_CODES = [
  'VALIDATION_ERROR', 'NO_FILE', 'NOT_FOUND', 'MODEL_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'TOO_MANY_PIXELS',
  'UNSUPPORTED_MEDIA_TYPE', 'UNDECODABLE_IMAGE', 'DECODE_TIMEOUT', 'BAD_REQUEST', 'QUEUE_FULL', 'DEADLINE_EXCEEDED', 'OVERLOADED',
  'SHUTTING_DOWN', 'SERVICE_UNAVAILABLE', 'INTERNAL_ERROR'
] as const

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer({ description: 'The HTTP status, repeated.' }),
  error: Type.String({ description: 'The HTTP reason phrase.' }),
  code: Type.Union(ERROR_CODES.map(c => Type.Literal(c)), { description: 'Stable machine-readable error code.' }),
  message: Type.String({ description: 'What went wrong and how to fix it, for people.' })
}, { $id: 'Error', title: 'Error', description: 'The one shape of every error response.' })

function errorExample (statusCode: number, error: string, code: typeof ERROR_CODES[number], message: string) {
  return { ...ErrorSchema, examples: [{ statusCode, error, code, message }] }
}

export const errorResponses = {
  400: errorExample(400, 'Bad Request', 'NO_FILE', 'No image received: send it as the multipart field "file", or as a raw body with an image content type.'),
  404: errorExample(404, 'Not Found', 'MODEL_NOT_FOUND', "No model named 'dogs' is loaded (loaded: food)."),
  413: errorExample(413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'The upload is larger than the limit of 10485760 bytes (MAX_UPLOAD_BYTES).'),
  415: errorExample(415, 'Unsupported Media Type', 'UNSUPPORTED_MEDIA_TYPE', 'HEIC/HEIF images are not supported: sharp\'s prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).'),
  422: errorExample(422, 'Unprocessable Entity', 'UNDECODABLE_IMAGE', 'The JPEG image could not be decoded: VipsJpeg: premature end of JPEG image'),
  500: errorExample(500, 'Internal Server Error', 'INTERNAL_ERROR', 'Internal server error.'),
  503: { ...errorExample(503, 'Service Unavailable', 'QUEUE_FULL', 'The inference queue is full (64 requests waiting, MAX_QUEUE); retry in 2 s.'), description: 'Overloaded (QUEUE_FULL, OVERLOADED), a deadline that cannot be met (DEADLINE_EXCEEDED), or shutting down. The Retry-After header says when to retry.' }
}

export const ModelRefSchema = Type.Object({
  name: Type.String({ examples: ['food'] }),
  version: Type.String({ examples: ['1.0.0'] })
}, { description: 'The model that answered.' })

export const LabelProbabilitySchema = Type.Object({
  label: Type.String({ examples: ['food'] }),
  probability: Type.Number({ minimum: 0, maximum: 1, examples: [0.97] })
})

export const PredictionSchema = Type.Object({
  label: Type.String({ description: 'The most probable label.', examples: ['food'] }),
  probability: Type.Number({ minimum: 0, maximum: 1, description: 'Probability of that label.', examples: [0.97] }),
  uncertain: Type.Boolean({ description: "True when the top probability is below the model's uncertain threshold: treat the label as a guess." }),
  predictions: Type.Array(LabelProbabilitySchema, { description: 'Every label (or the topK most probable) with its probability, most probable first.' }),
  warnings: Type.Array(Type.String(), { description: 'What was done to the image before inference: EXIF rotation, alpha flattened, first frame of an animation, upscaled, colour conversions.' }),
  model: ModelRefSchema,
  backend: Type.String({ description: 'The TF.js backend that ran the model.', examples: ['wasm'] })
}, {
  $id: 'Prediction',
  title: 'Prediction',
  examples: [{
    label: 'food',
    probability: 0.97,
    uncertain: false,
    predictions: [{ label: 'food', probability: 0.97 }, { label: 'not_food', probability: 0.03 }],
    warnings: [],
    model: { name: 'food', version: '1.0.0' },
    backend: 'wasm'
  }]
})

export const SkippedBackendSchema = Type.Object({
  name: Type.String(),
  package: Type.String(),
  reason: Type.String()
})

export const ModelInfoSchema = Type.Object({
  name: Type.String({ examples: ['food'] }),
  version: Type.String({ examples: ['1.0.0'] }),
  description: Type.String(),
  labels: Type.Array(Type.String(), { examples: [['food', 'not_food']] }),
  format: Type.String({ description: 'TF.js model format: layers-model or graph-model.' }),
  inputShape: Type.Array(Type.Integer(), { description: 'Model input as [height, width, channels].', examples: [[224, 224, 3]] }),
  preprocessing: Type.Object({
    resizeMode: Type.String({ description: 'How the image is fitted to the input size (sharp fit: cover, contain, fill).' }),
    normalization: Type.Object({
      mean: Type.Array(Type.Number()),
      std: Type.Array(Type.Number())
    }, { description: 'value = (pixel - mean) / std, per RGB channel, pixels in 0..255.' }),
    steps: Type.Array(Type.String())
  }),
  uncertainThreshold: Type.Number({ minimum: 0, maximum: 1 }),
  sha256: Type.String({ description: 'Digest of model.json and its weight files.' }),
  backend: Type.Object({
    name: Type.String({ examples: ['wasm'] }),
    package: Type.String({ examples: ['@tensorflow/tfjs-backend-wasm'] }),
    forced: Type.Boolean({ description: 'True when TFJS_BACKEND forced it.' }),
    skipped: Type.Array(SkippedBackendSchema, { description: 'Better backends that were not used, and why.' })
  }),
  inference: Type.Object({
    workers: Type.Integer({ description: 'Worker threads holding the model (0: the main thread).' }),
    maxBatchSize: Type.Integer(),
    maxBatchDelayMs: Type.Integer(),
    maxQueue: Type.Integer(),
    requests: Type.Integer({ description: 'Requests answered since start.' }),
    batches: Type.Integer({ description: 'Batches run since start: requests / batches is the mean batch size.' }),
    tensors: Type.Integer({ description: 'TF.js tensors held by the model engines (flat over time when nothing leaks).' })
  }, { description: 'How requests reach the model (dynamic batching over worker threads), with running counts.' })
}, { $id: 'ModelInfo', title: 'ModelInfo' })

/**
 * `isBinary: true` documents a raw binary body (`type: string, format: binary` in OpenAPI) and accepts the
 * Buffer that the raw content-type parser produces, which JSON Schema's `type: string` would refuse.
 */
type AjvPlugin = Extract<NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number], (...args: never[]) => unknown>

export const binaryBodyKeyword: AjvPlugin = (ajv) => ajv.addKeyword({
  keyword: 'isBinary',
  compile: (_schema: unknown, parent: Record<string, unknown>) => {
    parent.type = 'string'
    parent.format = 'binary'
    delete parent.isBinary
    return (data: unknown) => Buffer.isBuffer(data)
  },
  error: { message: 'should be binary image data' }
})
