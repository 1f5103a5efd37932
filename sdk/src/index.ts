/**
 * A typed client for the food classifier service. Its types (schema.d.ts) are generated from the service's
 * openapi.yaml by openapi-typescript; requests go through openapi-fetch, which checks paths, parameters and bodies
 * against them. The class below adds what every caller needs: uploads, and error responses thrown as typed errors.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch'
import { retryingFetch, type RetryOptions } from './retry.js'
import type { components, operations, paths } from './schema.js'

export type { components, operations, paths }
export { RetryBudget, retryAfterMs, retryingFetch, type RetryOptions } from './retry.js'

type Schemas = components['schemas']
export type Prediction = Schemas['Prediction']
export type LabelProbability = Schemas['LabelProbability']
export type ModelInfo = Schemas['ModelInfo']
export type ModelList = Schemas['ModelList']
export type Welcome = Schemas['Welcome']
export type PredictionResults = Schemas['PredictionResults']
export type V2InferRequest = operations['modelInfer']['requestBody'] extends { content: { 'application/json': infer B } } | undefined ? B : never
export type V2InferResponse = operations['modelInfer']['responses'][200]['content']['application/json']
/** The one shape of every error response. */
export type ErrorBody = Schemas['Error']
/** The stable error codes, as the spec lists them. */
export type ErrorCode = ErrorBody['code']

/** An error response from the service: the HTTP status, and the envelope with its stable `code`. */
export class ApiError extends Error {
  readonly status: number
  readonly code: ErrorCode
  readonly body: ErrorBody
  /** From the Retry-After header of a 503: when to try again, in seconds. */
  readonly retryAfterSeconds: number | undefined
  readonly response: Response

  constructor (response: Response, body: ErrorBody) {
    super(body.message)
    this.name = 'ApiError'
    this.status = response.status
    this.code = body.code
    this.body = body
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN)
    this.retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : undefined
    this.response = response
  }
}

/** A response that is neither a success nor the service's error envelope: a proxy's error page, for instance. */
export class UnexpectedResponseError extends Error {
  readonly status: number
  readonly body: unknown
  readonly response: Response

  constructor (response: Response, body: unknown) {
    super(`Unexpected ${response.status} response from ${response.url}`)
    this.name = 'UnexpectedResponseError'
    this.status = response.status
    this.body = body
    this.response = response
  }
}

function isErrorBody (value: unknown): value is ErrorBody {
  const body = value as Partial<ErrorBody> | null
  return typeof body === 'object' && body !== null && typeof body.statusCode === 'number' && typeof body.code === 'string' && typeof body.message === 'string'
}

function unwrap<T> ({ data, error, response }: { data?: T, error?: unknown, response: Response }): T {
  if (response.ok && data !== undefined) return data
  throw isErrorBody(error) ? new ApiError(response, error) : new UnexpectedResponseError(response, error)
}

export interface PredictOptions {
  /** Return only the topK most probable labels in `predictions`. */
  topK?: number
  /** How long you will wait, in ms: the service refuses at once (503 DEADLINE_EXCEEDED) a request it cannot answer in time. */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface PredictBytesOptions extends PredictOptions {
  /** The body's content type: an image/* type or application/octet-stream (the default); the service sniffs the format anyway. */
  contentType?: string
}

export type ClassifierClientOptions = Omit<ClientOptions, 'baseUrl'> & {
  /** Where the service is, e.g. http://localhost:3000. */
  baseUrl: string
  /**
   * Retries (on by default): a 503 or 429 is retried after its Retry-After with jitter, a failed connection with
   * backoff (reads and classifications only), at most 3 attempts per call, within a retry budget shared by the
   * client's calls. `false` turns them off.
   */
  retry?: RetryOptions | false
  /** The API key, when the service has API keys (API_KEYS): sent as `Authorization: Bearer <key>`. */
  apiKey?: string
}

/** The service's operations as methods. Each resolves to the response body, or throws an ApiError. */
export class ClassifierClient {
  /** The openapi-fetch client, typed from the spec: for anything the methods below do not cover. */
  readonly api: Client<paths>

  constructor ({ retry, apiKey, ...options }: ClassifierClientOptions) {
    const base = options.fetch ?? ((request: Request) => fetch(request))
    this.api = createClient<paths>({ ...options, fetch: retry === false ? base : retryingFetch(retry, base) })
    if (apiKey !== undefined) {
      this.api.use({
        onRequest ({ request }) {
          request.headers.set('authorization', `Bearer ${apiKey}`)
          return request
        }
      })
    }
  }

  /** GET /: the service, its version, the default model and backend. */
  async welcome (): Promise<Welcome> {
    return unwrap(await this.api.GET('/'))
  }

  /** GET /models: every loaded model, the default one first. */
  async listModels (): Promise<ModelInfo[]> {
    return unwrap(await this.api.GET('/models')).models
  }

  /** GET /models/{name}: one model's labels, input, preprocessing, digest and backend. */
  async getModel (name: string): Promise<ModelInfo> {
    return unwrap(await this.api.GET('/models/{name}', { params: { path: { name } } }))
  }

  /** POST /predict with the image as the multipart field `file`, as a browser form or `curl -F` sends it. */
  async predict (image: Blob, options: PredictOptions = {}): Promise<Prediction> {
    const form = new FormData()
    form.append('file', image, image instanceof File ? image.name : 'image')
    return unwrap(await this.api.POST('/predict', {
      params: { query: { topK: options.topK }, header: { 'x-request-timeout-ms': options.timeoutMs } },
      body: { file: image },
      bodySerializer: () => form,
      signal: options.signal
    })) as Prediction
  }

  /** POST /predict with several images (the field `file` repeated): one result per image, a prediction or its own error. */
  async predictMany (images: Blob[], options: PredictOptions = {}): Promise<PredictionResults['results']> {
    const form = new FormData()
    for (const image of images) form.append('file', image, image instanceof File ? image.name : 'image')
    const answer = unwrap(await this.api.POST('/predict', {
      params: { query: { topK: options.topK }, header: { 'x-request-timeout-ms': options.timeoutMs } },
      // The spec documents the field once; the form repeats it, one part per image.
      body: { file: images[0] },
      bodySerializer: () => form,
      signal: options.signal
    }))
    // One image sent as a list is still answered as one prediction.
    return 'results' in answer ? answer.results : [answer]
  }

  /** POST /v2/models/{name}/infer (Open Inference Protocol) with base64 BYTES in JSON. */
  async infer (name: string, body: V2InferRequest, options: { signal?: AbortSignal } = {}): Promise<V2InferResponse> {
    return unwrap(await this.api.POST('/v2/models/{name}/infer', { params: { path: { name } }, body, signal: options.signal })) as V2InferResponse
  }

  /** POST /v2/repository/models/{name}/load: load or reload a model (needs the admin token, given as `adminToken`). */
  async loadModel (name: string, adminToken: string): Promise<void> {
    unwrap(await this.api.POST('/v2/repository/models/{name}/load', { params: { path: { name } }, headers: { authorization: `Bearer ${adminToken}` } }))
  }

  /** POST /v2/repository/models/{name}/unload: stop serving a model (needs the admin token). */
  async unloadModel (name: string, adminToken: string): Promise<void> {
    unwrap(await this.api.POST('/v2/repository/models/{name}/unload', { params: { path: { name } }, headers: { authorization: `Bearer ${adminToken}` } }))
  }

  /** POST /predict with the image bytes as the raw body. */
  async predictBytes (bytes: Blob | ArrayBuffer | Uint8Array<ArrayBuffer>, options: PredictBytesOptions = {}): Promise<Prediction> {
    const body = bytes instanceof Blob ? bytes : new Blob([bytes])
    return unwrap(await this.api.POST('/predict', {
      params: { query: { topK: options.topK }, header: { 'x-request-timeout-ms': options.timeoutMs } },
      body,
      headers: { 'content-type': options.contentType ?? (body.type || 'application/octet-stream') },
      bodySerializer: (blob) => blob,
      signal: options.signal
    })) as Prediction
  }
}
