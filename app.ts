import type { Server } from 'node:http'
import { LogController, type FastifyError, type FastifyHttpOptions, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import { ajvFilePlugin } from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { BackendLoader } from './services/engines/backend.js'
import { parseList, type Config } from './services/common/config.js'
import { OverloadedError, ServiceError, envelopeOf, errorEnvelope, jsonBodyTooLarge, payloadTooLarge, type ErrorEnvelope } from './services/common/errors.js'
import admission from './plugins/admission.js'
import apiKeys from './plugins/api-keys.js'
import bodyTimeout from './plugins/body-timeout.js'
import config from './plugins/config.js'
import cors from './plugins/cors.js'
import earlyClose, { bodyStillArriving } from './plugins/early-close.js'
import health from './plugins/health.js'
import images from './plugins/images.js'
import inference from './plugins/inference.js'
import metrics from './plugins/metrics.js'
import model from './plugins/model.js'
import openapi from './plugins/openapi.js'
import pressure from './plugins/pressure.js'
import rateLimit from './plugins/rate-limit.js'
import requestId from './plugins/request-id.js'
import requestLog from './plugins/request-log.js'
import safeHeaders from './plugins/safe-headers.js'
import serverTiming from './plugins/server-timing.js'
import timings from './plugins/timings.js'
import tracing from './plugins/tracing.js'
import uploads from './plugins/uploads.js'
import healthRoutes from './routes/health.js'
import metricsRoutes from './routes/metrics.js'
import modelsRoutes from './routes/models.js'
import predictRoutes from './routes/predict.js'
import repositoryRoutes from './routes/repository.js'
import tfservingRoutes from './routes/tfserving.js'
import v2Routes from './routes/v2.js'
import grpcRoutes from './routes/grpc.js'
import rootRoutes from './routes/root.js'
import { binaryBodyKeyword, multipartFilesKeyword, namedSchemas } from './routes/schemas.js'
import { jsonBodyLimit } from './services/inference/classify.js'
import { requestIdFrom } from './services/observability/request-id.js'

export interface AppOptions {
  config?: Config
  env?: Record<string, string | undefined>
  backendLoader?: BackendLoader
  /** Span processors for tracing (tests: the SDK's in-memory exporter); turns tracing on without OTEL_* variables. */
  spanProcessors?: SpanProcessor[]
}

/** Server options app.ts needs; server.ts and the tests both create Fastify with them. */
export const options: FastifyServerOptions = {
  ajv: { plugins: [ajvFilePlugin, binaryBodyKeyword, multipartFilesKeyword] },
  // While closing, a request that still arrives on an open connection is answered (with Connection: close),
  // not refused: every request that reaches the process finishes. plugins/health.ts bounds the drain.
  return503OnClosing: false,
  // The model plugin loads and warms the model before the port opens; on onnxruntime a first boot also converts it
  // and checks the conversion on real photos, which on a busy 2-core host takes longer than Fastify's default 10 s.
  // The Kubernetes startupProbe gives a start 2 minutes; so does this (BOOT_TIMEOUT_MS in serverOptions).
  pluginTimeout: 120_000,
  forceCloseConnections: 'idle',
  requestIdHeader: false,
  // plugins/request-log.ts writes the per-request lines, after admission: a refusal there costs no log I/O.
  logController: new LogController({ disableRequestLogging: true }),
  genReqId: (req) => requestIdFrom(req.headers['x-request-id'])
}

/**
 * Where an API key could reach a log line: the service logs no request headers itself, but @fastify/multipart logs
 * its busboy options (the headers included) at trace level, and a serializer someone adds could log them too.
 */
const REDACTED = ['authorization', 'x-api-key'].flatMap(header => ['req.headers', 'headers', 'busboyOptions.headers'].map(at => `${at}["${header}"]`))

/**
 * The server options that come from config: server.ts and the tests create Fastify with them. The client address is
 * the forwarded one only from TRUST_PROXY; the header and keep-alive timeouts are Node's, checked every second rather
 * than every 30 s; Node's whole-request timeout is only a backstop behind BODY_TIMEOUT_MS (plugins/body-timeout.ts),
 * which answers in the error envelope.
 */
export function serverOptions (config: Config): FastifyHttpOptions<Server> {
  const proxies = parseList(config.TRUST_PROXY)
  return {
    ...options,
    logger: { level: config.LOG_LEVEL, redact: { paths: REDACTED, censor: '[redacted]' } },
    trustProxy: proxies.length > 0 ? proxies : false,
    pluginTimeout: config.BOOT_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: config.HEADERS_TIMEOUT_MS + config.BODY_TIMEOUT_MS + 5000,
    http: { headersTimeout: config.HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 }
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route speaks a protocol whose clients read an error's message from `error` (KServe V2 / Open Inference,
     * TF Serving, Triton's repository extension): the envelope carries the message there instead of the reason phrase.
     */
    protocolErrors?: boolean
  }
}

/** Maps every error, ours or the framework's, to the one envelope with a stable code. */
export function toErrorBody (err: FastifyError, request: FastifyRequest, config: Config): ErrorEnvelope {
  if (err instanceof ServiceError) return envelopeOf(err)
  if (err.validation) {
    if (err.validationContext === 'body' && request.routeOptions.url === '/predict' && !/json/.test(String(request.headers['content-type']))) {
      return errorEnvelope(400, 'NO_FILE', `No image received: send it as the multipart field "file" (${err.message}).`)
    }
    return errorEnvelope(400, 'VALIDATION_ERROR', err.message)
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      if (/json/.test(String(request.headers['content-type']))) {
        return envelopeOf(jsonBodyTooLarge(jsonBodyLimit(config.MAX_REQUEST_BYTES), config.MAX_REQUEST_BYTES))
      }
    // falls through
    case 'FST_REQ_FILE_TOO_LARGE':
      return envelopeOf(payloadTooLarge(config.MAX_UPLOAD_BYTES))
    case 'FST_FILES_LIMIT':
      return errorEnvelope(400, 'TOO_MANY_IMAGES', `More than ${config.MAX_IMAGES_PER_REQUEST} images in one request (MAX_IMAGES_PER_REQUEST).`)
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return errorEnvelope(400, 'BAD_REQUEST', `Too many parts in the multipart body: send the images in the field "file" (${err.message}).`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return errorEnvelope(415, 'UNSUPPORTED_MEDIA_TYPE', `Unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}: send multipart/form-data with the field "file", or a raw body with an image/* or application/octet-stream content type.`)
  }
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) return errorEnvelope(status, status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', err.message)
  if (status === 503) return errorEnvelope(503, 'SERVICE_UNAVAILABLE', err.message)
  return errorEnvelope(500, 'INTERNAL_ERROR', 'Internal server error.')
}

const HANG_UP_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'])

/** Whether an error is the client's hang-up (its connection closed while the body was arriving), not a failure. */
function clientWentAway (err: FastifyError, request: FastifyRequest): boolean {
  return HANG_UP_CODES.has(String(err.code)) || err.message === 'aborted' || request.raw.destroyed || request.raw.socket?.destroyed === true
}

async function app (fastify: FastifyInstance, opts: AppOptions) {
  const server = fastify.withTypeProvider<TypeBoxTypeProvider>()
  await server.register(config, { config: opts.config, env: opts.env })
  await server.register(tracing, { spanProcessors: opts.spanProcessors })
  await server.register(timings)
  await server.register(safeHeaders)
  await server.register(cors)
  await server.register(earlyClose)
  await server.register(bodyTimeout)
  await server.register(uploads)
  await server.register(images)
  await server.register(model, { backendLoader: opts.backendLoader })
  await server.register(metrics)
  await server.register(inference)
  // After the model: its event-loop sampling starts once the boot's blocking work (a first ONNX conversion and its
  // check) is over, or the first sample after it refuses every request for a second just as readiness turns 200.
  await server.register(pressure)
  await server.register(health)
  await server.register(requestId)
  await server.register(serverTiming)
  await server.register(openapi)
  // After /docs (open, so that Swagger UI loads and its Authorize button supplies a key), before every route.
  await server.register(apiKeys)
  await server.register(rateLimit)
  // After keys and rate limits: their refusals take no admission slot. Inference routes come after all three.
  await server.register(admission)
  await server.register(requestLog)
  for (const schema of namedSchemas) server.addSchema(schema)

  server.setErrorHandler(function errorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const payload = toErrorBody(err, request, fastify.config)
    if (request.routeOptions.config?.protocolErrors === true) payload.error = payload.message
    // A refusal under load is expected behaviour, not a failure: no stack trace per refused request. Neither is a
    // client that hung up mid-upload: its request ends here, and nothing is wrong with the server.
    if (clientWentAway(err, request)) request.log.info({ code: err.code, message: err.message }, 'client went away')
    else if (payload.statusCode >= 500 && !(err instanceof OverloadedError)) request.log.error({ err }, 'request failed')
    else request.log.info({ code: payload.code, message: payload.message }, 'request refused')
    if (err instanceof OverloadedError) reply.header('retry-after', String(err.retryAfterSeconds))
    return reply.code(payload.statusCode).send(payload)
  })
  function notFound (request: FastifyRequest, reply: FastifyReply): FastifyReply {
    return reply.code(404).send(errorEnvelope(404, 'NOT_FOUND', `Route ${request.method} ${request.url} not found.`))
  }
  server.setNotFoundHandler(notFound)
  // Fastify reads the body of a request to no route (of a type it parses) before the not-found handler runs: one
  // still arriving is answered now instead, unread, and its connection closed (plugins/early-close.ts).
  server.addHook('onRequest', function notFoundBeforeBody (request, reply, done) {
    if (request.is404 && bodyStillArriving(request.raw)) notFound(request, reply)
    else done()
  })

  await server.register(rootRoutes)
  await server.register(predictRoutes)
  await server.register(modelsRoutes)
  await server.register(v2Routes)
  await server.register(tfservingRoutes)
  await server.register(repositoryRoutes)
  await server.register(grpcRoutes)
  await server.register(healthRoutes)
  await server.register(metricsRoutes)
}

/** Wrapped so that what app.ts decorates (config, models, the OpenAPI document) is visible to whoever registers it. */
export default fp(app, { name: 'app' })
