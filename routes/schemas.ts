import type { FastifyServerOptions } from 'fastify'
import Type, { type Static, type TSchema } from 'typebox'

/*
 * The named schemas of the API. app.ts registers them with `addSchema`; routes and other schemas point at them with
 * `ref()`, so the OpenAPI document lists each once under components, and generated SDKs get one named type for each.
 */

/** A `$ref` to a named schema, typed as the schema itself so that handlers stay type-checked. */
export function ref<T extends TSchema> (schema: T) {
  const { $id } = schema as { $id?: unknown }
  if (typeof $id !== 'string') throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>({ $ref: `${$id}#` })
}

export const ERROR_CODES = [
  'VALIDATION_ERROR', 'NO_FILE', 'NOT_FOUND', 'MODEL_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'TOO_MANY_PIXELS',
  'UNSUPPORTED_MEDIA_TYPE', 'UNDECODABLE_IMAGE', 'DECODE_TIMEOUT', 'BAD_REQUEST', 'QUEUE_FULL', 'DEADLINE_EXCEEDED', 'OVERLOADED',
  'SHUTTING_DOWN', 'SERVICE_UNAVAILABLE', 'INTERNAL_ERROR', 'TOO_MANY_IMAGES', 'MODEL_LOAD_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'BODY_TIMEOUT',
  'UPLOADS_BUSY', 'WORKER_FAILED', 'MODEL_UNAVAILABLE'
] as const

export type ErrorCode = typeof ERROR_CODES[number]

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer({ description: 'The HTTP status, repeated.' }),
  error: Type.String({ description: 'The HTTP reason phrase; on the KServe V2, TF Serving and repository routes, whose clients read the message there, the message.' }),
  // One string enum rather than a union of constants: generated SDKs make one enum type of it.
  code: Type.Unsafe<ErrorCode>({ type: 'string', enum: [...ERROR_CODES], description: 'Stable machine-readable error code.' }),
  message: Type.String({ description: 'What went wrong and how to fix it, for people.' })
}, { $id: 'Error', title: 'Error', description: 'The one shape of every error response.' })

/**
 * A JSON response as OpenAPI shows it: a description, a named schema and an example (by default the schema's
 * first), which Swagger UI shows and `redocly lint` checks against the schema.
 */
export function jsonResponse<T extends TSchema> (description: string, schema: T, example = (schema as { examples?: Array<Static<T>> }).examples?.[0]) {
  return { description, content: { 'application/json': { schema: ref(schema), example } } }
}

interface ErrorExample { code: ErrorCode, message: string }

/** An error response: the one envelope, with an example of each code the status can carry. */
export function errorResponse (statusCode: number, error: string, description: string, ...examples: [ErrorExample, ...ErrorExample[]]) {
  const values = examples.map(({ code, message }) => ({ statusCode, error, code, message }))
  const shown = values.length === 1
    ? { example: values[0] }
    : { examples: Object.fromEntries(values.map(value => [value.code, { summary: value.code, value }])) }
  return { description, content: { 'application/json': { schema: ref(ErrorSchema), ...shown } } }
}

/** A JSON response whose schema is this protocol's own, written inline rather than as a named component. */
export function protocolJson<T extends TSchema> (description: string, schema: T, example = (schema as { examples?: unknown[] }).examples?.[0]) {
  // OpenAPI 3.0 schemas have no `examples`: the example goes beside the schema.
  const { examples: _examples, ...bare } = schema as T & { examples?: unknown }
  return { description, content: { 'application/json': { schema: bare, example } } }
}

/** The same response as the protocols' clients see it: the message in `error` too. */
export function protocolError<R extends { content: { 'application/json': Record<string, unknown> } }> (response: R): R {
  const media = response.content['application/json'] as { example?: { message: string }, examples?: Record<string, { value: { message: string } }> }
  const example = media.example === undefined ? undefined : { ...media.example, error: media.example.message }
  const examples = media.examples === undefined ? undefined : Object.fromEntries(Object.entries(media.examples).map(([k, e]) => [k, { ...e, value: { ...e.value, error: e.value.message } }]))
  return { ...response, content: { 'application/json': { ...response.content['application/json'], ...(example !== undefined ? { example } : {}), ...(examples !== undefined ? { examples } : {}) } } }
}

/** Path parameters of the protocol routes (KServe V2, TF Serving) that address a model, or one of its versions. */
export const modelNameParams = Type.Object({ name: Type.String({ description: 'Model name.', examples: ['food'] }) })
export const modelVersionParams = Type.Object({ name: Type.String({ description: 'Model name.', examples: ['food'] }), version: Type.String({ description: 'Repository version.', examples: ['1'] }) })

export const errorResponses = {
  400: errorResponse(400, 'Bad Request', 'No image was received (`NO_FILE`), or a query parameter is invalid (`VALIDATION_ERROR`).',
    { code: 'NO_FILE', message: 'No image received: send it as the multipart field "file", or as a raw body with an image content type.' },
    { code: 'VALIDATION_ERROR', message: 'querystring/topK must be >= 1' }),
  401: {
    ...errorResponse(401, 'Unauthorized', 'Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
      { code: 'UNAUTHORIZED', message: 'An API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".' }),
    headers: { 'www-authenticate': Type.String({ description: 'Bearer: how to authenticate.' }) }
  },
  404: errorResponse(404, 'Not Found', 'No model with that name is loaded (`MODEL_NOT_FOUND`).',
    { code: 'MODEL_NOT_FOUND', message: "No model named 'dogs' is loaded (loaded: food)." }),
  413: errorResponse(413, 'Payload Too Large', 'The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding).',
    { code: 'PAYLOAD_TOO_LARGE', message: 'The upload is larger than the limit of 10485760 bytes (MAX_UPLOAD_BYTES).' },
    { code: 'TOO_MANY_PIXELS', message: 'The image is 10000x10000 (100000000 pixels), over the limit of 50000000 pixels (MAX_PIXELS).' }),
  415: errorResponse(415, 'Unsupported Media Type', 'The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`).',
    { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'HEIC/HEIF images are not supported: sharp\'s prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).' }),
  422: errorResponse(422, 'Unprocessable Entity', 'The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`).',
    { code: 'UNDECODABLE_IMAGE', message: 'The JPEG image could not be decoded: VipsJpeg: premature end of JPEG image' },
    { code: 'DECODE_TIMEOUT', message: 'Decoding the image took longer than 10000 ms (DECODE_TIMEOUT_MS) and was stopped.' }),
  408: errorResponse(408, 'Request Timeout', 'The request body was still arriving BODY_TIMEOUT_MS after the request began (`BODY_TIMEOUT`); the connection is closed.',
    { code: 'BODY_TIMEOUT', message: 'The request body did not arrive within 30000 ms (BODY_TIMEOUT_MS); the connection is closed.' }),
  429: {
    ...errorResponse(429, 'Too Many Requests', 'Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry.',
      { code: 'RATE_LIMITED', message: 'Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s.' }),
    headers: {
      'retry-after': Type.Integer({ minimum: 0, description: 'Seconds to wait before retrying.' }),
      'ratelimit-limit': Type.Integer({ description: 'RATE_LIMIT_MAX: requests allowed per window.' }),
      'ratelimit-remaining': Type.Integer({ description: 'Requests left in this window.' }),
      'ratelimit-reset': Type.Integer({ description: 'Seconds until the window resets.' })
    }
  },
  500: errorResponse(500, 'Internal Server Error', 'An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log.',
    { code: 'INTERNAL_ERROR', message: 'Internal server error.' }),
  503: {
    ...errorResponse(503, 'Service Unavailable', 'Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry.',
      { code: 'QUEUE_FULL', message: 'The inference queue is full (64 requests waiting, MAX_QUEUE); retry in 2 s.' },
      { code: 'OVERLOADED', message: 'The server is overloaded (eventLoopDelay at 1200); retry in 1 s.' },
      { code: 'DEADLINE_EXCEEDED', message: "The request's deadline (150 ms left) cannot be met: about 900 ms of work is queued ahead of it." },
      { code: 'MODEL_UNAVAILABLE', message: "The model cannot answer now: none of its inference workers is running (inference worker worker-0 failed to start: out of memory); they are restarted automatically, retry in 5 s." },
      { code: 'SHUTTING_DOWN', message: 'The server is shutting down; retry on another instance.' }),
    headers: { 'retry-after': Type.Integer({ minimum: 1, description: 'Seconds to wait before retrying.' }) }
  }
}

export const ModelRefSchema = Type.Object({
  name: Type.String({ description: 'The model\'s name, as in GET /models/{name}.', examples: ['food'] }),
  version: Type.String({ description: 'The model\'s version, from its manifest.', examples: ['4.0.0'] })
}, { $id: 'ModelRef', title: 'ModelRef', description: 'A model, by name and version.' })

export const WelcomeSchema = Type.Object({
  name: Type.String({ description: 'The service\'s name.', examples: ['food-classifier-service'] }),
  version: Type.String({ description: 'The service\'s version.', examples: ['0.1.0'] }),
  message: Type.String({ description: 'How to use it, for people.' }),
  model: ref(ModelRefSchema),
  backend: Type.String({ description: 'The inference backend the models run on (tensorflow-gpu, webgpu, onnxruntime, tensorflow, wasm or cpu).', examples: ['wasm'] }),
  docs: Type.String({ description: 'Where Swagger UI is served.', examples: ['/docs'] })
}, {
  $id: 'Welcome',
  title: 'Welcome',
  description: 'What this service is: its name and version, the default model, the inference backend, and where the docs are.',
  examples: [{
    name: 'food-classifier-service',
    version: '0.1.0',
    message: 'Welcome! POST an image to /predict (multipart field "file") to ask whether it shows food or not_food.',
    model: { name: 'food', version: '4.0.0' },
    backend: 'wasm',
    docs: '/docs'
  }]
})

export const LabelProbabilitySchema = Type.Object({
  label: Type.String({ description: 'One of the model\'s labels.', examples: ['food'] }),
  probability: Type.Number({ minimum: 0, maximum: 1, description: 'Its probability; all labels\' add up to 1.', examples: [0.97] })
}, { $id: 'LabelProbability', title: 'LabelProbability', description: 'One label and its probability.' })

export const PredictionSchema = Type.Object({
  label: Type.String({ description: 'The most probable label.', examples: ['food'] }),
  probability: Type.Number({ minimum: 0, maximum: 1, description: 'Probability of that label.', examples: [0.97] }),
  uncertain: Type.Boolean({ description: "True when the top probability is below the model's uncertain threshold: treat the label as a guess." }),
  predictions: Type.Array(ref(LabelProbabilitySchema), { description: 'Every label (or the topK most probable) with its probability, most probable first.' }),
  warnings: Type.Array(Type.String(), { description: 'What was done to the image before inference: EXIF rotation, alpha flattened, first frame of an animation, upscaled, colour conversions.' }),
  model: ref(ModelRefSchema),
  backend: Type.String({ description: 'The inference backend that ran the model.', examples: ['wasm'] })
}, {
  $id: 'Prediction',
  title: 'Prediction',
  description: 'What the model sees in the image: the most probable label, its probability, every label\'s probability, and the model that answered.',
  examples: [{
    label: 'food',
    probability: 0.97,
    uncertain: false,
    predictions: [{ label: 'food', probability: 0.97 }, { label: 'not_food', probability: 0.03 }],
    warnings: [],
    model: { name: 'food', version: '4.0.0' },
    backend: 'wasm'
  }]
})

export const ImageErrorSchema = Type.Object({
  statusCode: Type.Integer({ description: 'The status this image alone would have got.' }),
  error: Type.String({ description: 'The HTTP reason phrase.' }),
  code: Type.Unsafe<ErrorCode>({ type: 'string', enum: [...ERROR_CODES], description: 'Stable machine-readable error code.' }),
  message: Type.String({ description: 'What went wrong with this image.' })
}, { $id: 'ImageError', title: 'ImageError', description: 'The error envelope of one image of several: the others are answered all the same.' })

export const PredictionResultsSchema = Type.Object({
  results: Type.Array(Type.Union([ref(PredictionSchema), ref(ImageErrorSchema)]), { description: 'One entry per image, in the order sent: its prediction, or its own error envelope.' })
}, {
  $id: 'PredictionResults',
  title: 'PredictionResults',
  description: 'The answers to several images sent in one request.',
  examples: [{
    results: [
      { label: 'food', probability: 0.97, uncertain: false, predictions: [{ label: 'food', probability: 0.97 }, { label: 'not_food', probability: 0.03 }], warnings: [], model: { name: 'food', version: '4.0.0' }, backend: 'wasm' },
      { statusCode: 415, error: 'Unsupported Media Type', code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The data is not an image in a supported format (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).' }
    ]
  }]
})

export const SkippedBackendSchema = Type.Object({
  name: Type.String({ description: 'The backend.', examples: ['tensorflow'] }),
  package: Type.String({ description: 'The npm package that provides it.', examples: ['@tensorflow/tfjs-node'] }),
  reason: Type.String({ description: 'Why it was not used.', examples: ['not installed'] })
}, { $id: 'SkippedBackend', title: 'SkippedBackend', description: 'A better inference backend that was not used, and why.' })

const modelInfoExample = {
  name: 'food',
  version: '4.0.0',
  repositoryVersion: 1,
  description: 'Food / not-food photo classifier.',
  labels: ['food', 'not_food'],
  format: 'graph-model',
  inputShape: [300, 300, 3],
  preprocessing: {
    resizeMode: 'fill',
    normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    steps: ['EXIF orientation applied', 'alpha flattened onto white', 'converted to 8-bit sRGB', 'resized to the input size', 'normalised per channel']
  },
  uncertainThreshold: 0.6,
  sha256: 'e2ebaa1b9ee4f00b600c117a878ecf52637e66b2b5a71ec5f374fcdbcee9fb27',
  backend: { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', forced: false, skipped: [{ name: 'tensorflow', package: '@tensorflow/tfjs-node', reason: 'not installed' }] },
  inference: { workers: 2, maxBatchSize: 4, maxBatchDelayMs: 2, maxQueue: 64, requests: 1200, batches: 910, tensors: 424 }
}

export const ModelInfoSchema = Type.Object({
  name: Type.String({ description: 'The model\'s name, as in GET /models/{name}.', examples: ['food'] }),
  version: Type.String({ description: 'The model\'s version, from its manifest.', examples: ['4.0.0'] }),
  repositoryVersion: Type.Integer({ minimum: 1, description: 'Its version in the model repository (<name>/<version>/; 1 for a flat model directory): what the V2 and TF Serving routes address.', examples: [1] }),
  description: Type.String({ description: 'What the model does, from its manifest.' }),
  labels: Type.Array(Type.String(), { description: 'Every label the model answers, in the order of its outputs.', examples: [['food', 'not_food']] }),
  format: Type.String({ description: 'TF.js model format: layers-model or graph-model.' }),
  inputShape: Type.Array(Type.Integer(), { description: 'Model input as [height, width, channels].', examples: [[224, 224, 3]] }),
  preprocessing: Type.Object({
    resizeMode: Type.String({ description: 'How the image is fitted to the input size (sharp fit: cover, contain, fill).' }),
    normalization: Type.Object({
      mean: Type.Array(Type.Number()),
      std: Type.Array(Type.Number())
    }, { description: 'value = (pixel - mean) / std, per RGB channel, pixels in 0..255.' }),
    steps: Type.Array(Type.String(), { description: 'What is done to an image before inference, in order.' })
  }, { description: 'How an image becomes the model\'s input.' }),
  uncertainThreshold: Type.Number({ minimum: 0, maximum: 1, description: 'Below this top probability, a prediction is marked uncertain.' }),
  sha256: Type.String({ description: 'Digest of model.json and its weight files.' }),
  backend: Type.Object({
    name: Type.String({ description: 'The inference backend that runs the model.', examples: ['wasm'] }),
    package: Type.String({ description: 'The npm package that provides it.', examples: ['@tensorflow/tfjs-backend-wasm'] }),
    forced: Type.Boolean({ description: 'True when INFERENCE_BACKEND (formerly TFJS_BACKEND) forced it.' }),
    skipped: Type.Array(ref(SkippedBackendSchema), { description: 'Better backends that were not used, and why.' }),
    adapter: Type.Optional(Type.Object({
      name: Type.String({ description: 'The device, as its Vulkan driver names it.', examples: ['NVIDIA H100 80GB HBM3'] }),
      driver: Type.Optional(Type.String({ description: 'The Vulkan driver library that runs it.', examples: ['libGLX_nvidia.so.0'] })),
      software: Type.Boolean({ description: 'True for a CPU rasteriser (lavapipe, SwiftShader), which only a forced INFERENCE_BACKEND=webgpu uses.' })
    }, { description: 'webgpu only: the Vulkan adapter WebGPU runs on.' }))
  }, { description: 'Where the model runs: the inference backend chosen at boot.' }),
  inference: Type.Object({
    workers: Type.Integer({ description: 'Worker threads holding the model (0: the main thread).' }),
    maxBatchSize: Type.Integer({ description: 'The most requests run as one batch (MAX_BATCH_SIZE).' }),
    maxBatchDelayMs: Type.Integer({ description: 'How long a partial batch waits for company while other workers are busy, in ms (MAX_BATCH_DELAY_MS).' }),
    maxQueue: Type.Integer({ description: 'Requests waiting beyond this are refused with 503 QUEUE_FULL (MAX_QUEUE).' }),
    precision: Type.Optional(Type.Union([Type.Literal('fp32'), Type.Literal('int8')], { description: 'onnxruntime and webgpu: the precision the graph runs at: int8 when the model ships a calibration (int8.json) and ONNX_PRECISION allows it, fp32 otherwise.' })),
    requests: Type.Integer({ description: 'Requests answered since start.' }),
    batches: Type.Integer({ description: 'Batches run since start: requests / batches is the mean batch size.' }),
    tensors: Type.Integer({ description: 'TF.js tensors held by the model engines (flat over time when nothing leaks).' })
  }, { description: 'How requests reach the model (dynamic batching over worker threads), with running counts.' })
}, {
  $id: 'ModelInfo',
  title: 'ModelInfo',
  description: 'A loaded model: what it answers, what it expects, and where it runs.',
  examples: [modelInfoExample]
})

export const ModelListSchema = Type.Object({
  models: Type.Array(ref(ModelInfoSchema), { description: 'The first one is the default model, which answers POST /predict.' })
}, { $id: 'ModelList', title: 'ModelList', description: 'Every loaded model.', examples: [{ models: [modelInfoExample] }] })

export const LiveSchema = Type.Object({
  status: Type.Literal('live', { description: 'Always live when the process answers.' }),
  uptimeSeconds: Type.Number({ description: 'Seconds since the process started.' })
}, { $id: 'Liveness', title: 'Liveness', description: 'The process is up.', examples: [{ status: 'live', uptimeSeconds: 42.5 }] })

export const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('starting'), Type.Literal('draining')], {
    description: 'ready: the model is loaded and warmed up; starting: not yet; draining: shutting down, send traffic elsewhere.'
  }),
  ready: Type.Boolean({ description: 'Whether to send this instance traffic.' }),
  since: Type.String({ format: 'date-time', description: 'When this status began.' }),
  models: Type.Array(ref(ModelRefSchema), { description: 'The models this instance serves.' }),
  backend: Type.String({ description: 'The inference backend.', examples: ['wasm'] })
}, {
  $id: 'Readiness',
  title: 'Readiness',
  description: 'Whether this instance should receive traffic, and why not.',
  examples: [{ status: 'ready', ready: true, since: '2026-11-24T12:00:00.000Z', models: [{ name: 'food', version: '4.0.0' }], backend: 'wasm' }]
})

export const V2LiveSchema = Type.Object({ live: Type.Boolean({ description: 'True when the process answers.' }) }, { $id: 'V2Live', title: 'V2Live', description: 'Open Inference Protocol liveness.', examples: [{ live: true }] })
export const V2ReadySchema = Type.Object({ ready: Type.Boolean({ description: 'True when the server should receive traffic.' }) }, { $id: 'V2Ready', title: 'V2Ready', description: 'Open Inference Protocol readiness.', examples: [{ ready: true }] })
export const V2ModelReadySchema = Type.Object({
  name: Type.String({ description: 'The model name.', examples: ['food'] }),
  ready: Type.Boolean({ description: 'True when the model can answer.' })
}, { $id: 'V2ModelReady', title: 'V2ModelReady', description: 'Open Inference Protocol model readiness.', examples: [{ name: 'food', ready: true }] })

export const namedSchemas: TSchema[] = [
  LiveSchema, ReadySchema, V2LiveSchema, V2ReadySchema, V2ModelReadySchema,
  ErrorSchema, ModelRefSchema, WelcomeSchema, LabelProbabilitySchema, PredictionSchema, ImageErrorSchema, PredictionResultsSchema, SkippedBackendSchema, ModelInfoSchema, ModelListSchema
]

type AjvPlugin = Extract<NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number], (...args: never[]) => unknown>

const isMultipartFile = (value: unknown): boolean => typeof value === 'object' && value !== null && 'file' in value && Boolean((value as { file: unknown }).file)

/**
 * `isFiles: true` marks a multipart field that carries one file or several (the field repeated, one part per
 * image). It is documented as one binary, as `isFile` is, so that Swagger UI offers a file input and SDKs a Blob
 * (a browser form and curl -F repeat a field the same way); the validator accepts what @fastify/multipart attaches
 * for one part or several.
 */
export const multipartFilesKeyword: AjvPlugin = (ajv) => ajv.addKeyword({
  keyword: 'isFiles',
  compile: (_schema: unknown, parent: Record<string, unknown>) => {
    parent.type = 'string'
    parent.format = 'binary'
    delete parent.isFiles
    return (data: unknown) => isMultipartFile(data) || (Array.isArray(data) && data.length > 0 && data.every(isMultipartFile))
  },
  error: { message: 'should be one file or several' }
})

/**
 * `isBinary: true` documents a raw binary body (`type: string, format: binary` in OpenAPI) and accepts the
 * Buffer that the raw content-type parser produces, which JSON Schema's `type: string` would refuse.
 */
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
