/**
 * Errors the services raise for bad input or bad configuration. They carry the HTTP status and a stable
 * machine-readable code, so the one error handler can shape every error the same way without the services
 * knowing about HTTP frameworks.
 */
export class ServiceError extends Error {
  readonly statusCode: number
  readonly code: string

  constructor (code: string, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ServiceError'
    this.code = code
    this.statusCode = statusCode
  }
}

export const ErrorCodes = {
  NO_FILE: 'NO_FILE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNDECODABLE_IMAGE: 'UNDECODABLE_IMAGE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_PIXELS: 'TOO_MANY_PIXELS',
  DECODE_TIMEOUT: 'DECODE_TIMEOUT',
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  TOO_MANY_IMAGES: 'TOO_MANY_IMAGES',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  RATE_LIMITED: 'RATE_LIMITED',
  BODY_TIMEOUT: 'BODY_TIMEOUT'
} as const

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable'
}

/** The one shape of every error response. */
export interface ErrorEnvelope { statusCode: number, error: string, code: string, message: string }

export function errorEnvelope (statusCode: number, code: string, message: string): ErrorEnvelope {
  return { statusCode, error: REASONS[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Bad Request'), code, message }
}

/**
 * The envelope of an error met while serving one image of several: a ServiceError keeps its status and code;
 * anything else is an internal error whose details stay in the log.
 */
export function envelopeOf (err: unknown): ErrorEnvelope {
  if (err instanceof ServiceError) return errorEnvelope(err.statusCode, err.code, err.message)
  return errorEnvelope(500, ErrorCodes.INTERNAL_ERROR, 'Internal server error.')
}

export function noFile (message = 'No image received: send it as the multipart field "file", or as a raw body with an image content type.'): ServiceError {
  return new ServiceError(ErrorCodes.NO_FILE, 400, message)
}

export function payloadTooLarge (limitBytes: number): ServiceError {
  return new ServiceError(ErrorCodes.PAYLOAD_TOO_LARGE, 413, `The upload is larger than the limit of ${limitBytes} bytes (MAX_UPLOAD_BYTES).`)
}

/** A JSON body over its limit: MAX_REQUEST_BYTES of images, base64-encoded (services/inference/classify.ts jsonBodyLimit). */
export function jsonBodyTooLarge (limitBytes: number, maxRequestBytes: number): ServiceError {
  return new ServiceError(ErrorCodes.PAYLOAD_TOO_LARGE, 413, `The request body is larger than the limit of ${limitBytes} bytes: MAX_REQUEST_BYTES (${maxRequestBytes}) of images, base64-encoded.`)
}

export function unauthorized (message: string): ServiceError {
  return new ServiceError(ErrorCodes.UNAUTHORIZED, 401, message)
}

export function rateLimited (max: number, windowMs: number, retryAfterSeconds: number): ServiceError {
  return new ServiceError(ErrorCodes.RATE_LIMITED, 429, `Rate limit reached: at most ${max} requests per ${windowMs / 1000} s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in ${retryAfterSeconds} s.`)
}

export function bodyTimeout (timeoutMs: number): ServiceError {
  return new ServiceError(ErrorCodes.BODY_TIMEOUT, 408, `The request body did not arrive within ${timeoutMs} ms (BODY_TIMEOUT_MS); the connection is closed.`)
}

/** A refusal under load: the client may retry after `retryAfterSeconds`. */
export class OverloadedError extends ServiceError {
  constructor (code: 'QUEUE_FULL' | 'DEADLINE_EXCEEDED' | 'OVERLOADED' | 'SHUTTING_DOWN' | 'UPLOADS_BUSY' | 'WORKER_FAILED' | 'MODEL_UNAVAILABLE', message: string, readonly retryAfterSeconds: number) {
    super(code, 503, message)
    this.name = 'OverloadedError'
  }
}
