import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Metadata, Server, ServerCredentials, loadPackageDefinition, status, type GrpcObject, type ServerUnaryCall, type ServiceClientConstructor, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api'
import { checkAdminToken } from '../services/admission/admin-token.js'
import { requiredModels } from '../services/admission/readiness.js'
import { ErrorCodes, OverloadedError, ServiceError } from '../services/common/errors.js'
import { probabilityRows } from '../services/inference/classify.js'
import { buildGrpcResponse, grpcStatusOf, readGrpcImages, type GrpcInferRequest } from '../services/protocols/grpc.js'
import { modelMetadata } from '../services/protocols/open-inference.js'
import { projectRoot, serviceInfo } from '../services/common/project.js'

export const PROTO_PATH = join(projectRoot, 'proto', 'grpc_predict_v2.proto')
const EXTENSIONS = ['classification', 'model_repository']

declare module 'fastify' {
  interface FastifyInstance {
    /** The gRPC listener: its port once bound (GRPC_PORT), null when gRPC is off. */
    grpc: { port: number | null }
  }
}

/** The first value of a metadata key as a string (metadata keys are lower-case). */
function metadataValue (metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key)
  return value === undefined ? undefined : String(value)
}

/**
 * The Open Inference Protocol over gRPC (inference.GRPCInferenceService, proto/grpc_predict_v2.proto) on
 * GRPC_PORT: the same registry, inference path (decode, cache, batching, answer metrics), admission limit, API keys
 * (`authorization: Bearer <key>` or `x-api-key` metadata) and deadlines as the REST protocols; service errors map
 * to gRPC status codes. The port opens when the app is ready (the model loaded and warmed up) and drains on close:
 * new calls are refused, calls under way finish.
 */
async function grpc (fastify: FastifyInstance) {
  const { GRPC_PORT, HOST, MAX_UPLOAD_BYTES, MAX_REQUEST_BYTES, MAX_REQUEST_TIMEOUT_MS, ADMISSION_LIMIT, ADMIN_TOKEN, SHUTDOWN_TIMEOUT_MS } = fastify.config
  const state = { port: null as number | null }
  fastify.decorate('grpc', state)
  if (GRPC_PORT === undefined) return
  const { models, readiness, inference, metrics, admission, apiKeys, log, tracer } = fastify
  const required = requiredModels(fastify.config.REQUIRED_MODELS, models.defaultName)

  const definition = loadPackageDefinition(loadSync(PROTO_PATH, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true }))
  const service = ((definition.inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor).service

  const authenticate = (metadata: Metadata): void => {
    apiKeys?.authenticate({ authorization: metadataValue(metadata, 'authorization'), 'x-api-key': metadataValue(metadata, 'x-api-key') })
  }

  /**
   * With tracing on, a ModelInfer call runs in a server span, a child of the client's W3C traceparent metadata; the
   * trace id goes back as x-trace-id metadata.
   */
  function traced<T> (method: string, metadata: Metadata, sendMetadata: (m: Metadata) => void, fn: () => Promise<T>): Promise<T> {
    if (tracer === null || method !== 'ModelInfer') return fn()
    const carrier = Object.fromEntries(Object.entries(metadata.getMap()).map(([k, v]) => [k, String(v)]))
    const parent = propagation.extract(context.active(), carrier)
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': 'inference.GRPCInferenceService', 'rpc.method': method } }, parent)
    const reply = new Metadata()
    reply.set('x-trace-id', span.spanContext().traceId)
    sendMetadata(reply)
    return context.with(trace.setSpan(parent, span), fn).then(answer => {
      span.end()
      return answer
    }, (err: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
      span.setAttribute('rpc.grpc.status_code', grpcStatusOf(err))
      span.end()
      throw err
    })
  }

  /** A unary handler: its answer, or its error as a gRPC status with the service's message; counted and logged. */
  function unary<Req, Res> (method: string, handle: (call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      const started = performance.now()
      traced(method, call.metadata, m => call.sendMetadata(m), () => handle(call)).then(answer => {
        metrics.observeGrpc(method, 'OK', (performance.now() - started) / 1000)
        callback(null, answer)
      }, (err: unknown) => {
        const code = grpcStatusOf(err)
        metrics.observeGrpc(method, status[code], (performance.now() - started) / 1000)
        if (code === status.INTERNAL) log.error({ err, grpc: method }, 'gRPC call failed')
        else log.info({ grpc: method, code: status[code], message: (err as Error).message }, 'gRPC call refused')
        callback({ code, details: code === status.INTERNAL ? 'Internal server error.' : (err as Error).message })
      })
    }
  }

  const modelReady = (name: string, version: string): boolean => {
    models.get(name, version === '' ? undefined : version)
    return readiness.ready
  }

  const metadataOf = (name: string, version: string) => {
    const model = models.get(name, version === '' ? undefined : version)
    return modelMetadata(model, version !== '' ? [model] : models.versions(name))
  }

  /** The call's deadline as performance.now() time, capped as over REST; an expired one is refused at once. */
  const deadlineOf = (call: ServerUnaryCall<unknown, unknown>): number => {
    const deadline = call.getDeadline()
    const at = deadline instanceof Date ? deadline.getTime() : deadline
    const left = Number.isFinite(at) ? at - Date.now() : MAX_REQUEST_TIMEOUT_MS
    if (left <= 0) throw new OverloadedError('DEADLINE_EXCEEDED', 'The call\'s deadline has already passed.', 1)
    return performance.now() + Math.min(left, MAX_REQUEST_TIMEOUT_MS)
  }

  async function modelInfer (call: ServerUnaryCall<GrpcInferRequest, unknown>) {
    authenticate(call.metadata)
    const deadline = deadlineOf(call)
    if (ADMISSION_LIMIT !== 'off' && !admission.tryAcquire()) {
      throw new OverloadedError('OVERLOADED', `The server is at its limit of ${admission.limit} requests in flight (ADMISSION_LIMIT); retry later.`, 1)
    }
    const started = performance.now()
    let measured = false
    try {
      const request = call.request
      const version = request.model_version === '' ? undefined : request.model_version
      models.get(request.model_name, version)
      const { images, body, raw } = readGrpcImages(request, MAX_UPLOAD_BYTES)
      const { outcomes, model, timings } = await inference.run({ model: request.model_name, version, inputs: images, deadline })
      metrics.observeStages(timings, model)
      const rows = probabilityRows(outcomes)
      measured = true
      return buildGrpcResponse(body, raw, rows, model.labels, { name: model.name, version: String(model.repositoryVersion) })
    } finally {
      if (ADMISSION_LIMIT !== 'off') admission.release(measured ? performance.now() - started : undefined)
    }
  }

  async function repository (call: ServerUnaryCall<{ model_name: string }, unknown>, operation: 'load' | 'unload') {
    checkAdminToken(metadataValue(call.metadata, 'authorization'), ADMIN_TOKEN)
    const name = call.request.model_name
    if (name === '') throw new ServiceError(ErrorCodes.BAD_REQUEST, 400, 'model_name is required.')
    await models[operation](name)
    return operation === 'load' ? { model_name: name, isLoaded: true } : { model_name: name, isUnloaded: true }
  }

  const handlers: UntypedServiceImplementation = {
    ServerLive: unary('ServerLive', async () => ({ live: true })),
    // As GET /v2/health/ready: started, not draining, and every required model serving.
    ServerReady: unary('ServerReady', async () => ({ ready: readiness.ready && required.every(name => models.isReady(name)) })),
    ModelReady: unary('ModelReady', async (call: ServerUnaryCall<{ name: string, version: string }, unknown>) => ({ ready: modelReady(call.request.name, call.request.version) })),
    ServerMetadata: unary('ServerMetadata', async (call) => {
      authenticate(call.metadata)
      return { name: serviceInfo.name, version: serviceInfo.version, extensions: EXTENSIONS }
    }),
    ModelMetadata: unary('ModelMetadata', async (call: ServerUnaryCall<{ name: string, version: string }, unknown>) => {
      authenticate(call.metadata)
      return metadataOf(call.request.name, call.request.version)
    }),
    ModelInfer: unary('ModelInfer', modelInfer),
    RepositoryModelLoad: unary('RepositoryModelLoad', (call: ServerUnaryCall<{ model_name: string }, unknown>) => repository(call, 'load')),
    RepositoryModelUnload: unary('RepositoryModelUnload', (call: ServerUnaryCall<{ model_name: string }, unknown>) => repository(call, 'unload'))
  }

  // Room for MAX_REQUEST_BYTES of images and the message around them.
  const server = new Server({ 'grpc.max_receive_message_length': MAX_REQUEST_BYTES + 1024 * 1024 })
  server.addService(service, handlers)

  fastify.addHook('onReady', async () => {
    state.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${HOST.includes(':') ? `[${HOST}]` : HOST}:${GRPC_PORT}`, ServerCredentials.createInsecure(), (err, port) => err ? reject(err) : resolve(port))
    })
    log.info({ grpcPort: state.port }, `Open Inference Protocol over gRPC on port ${state.port}`)
  })
  // Before the HTTP listener closes and the models are released: new calls are refused, those under way finish.
  fastify.addHook('preClose', async () => {
    if (state.port === null) return
    const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_TIMEOUT_MS).unref()
    await new Promise<void>(resolve => server.tryShutdown(() => resolve()))
    clearTimeout(force)
  })
}

/** Wrapped so that `grpc` (its port) is visible to the app, as server.ts logs it and tests connect to it. */
export default fp(grpc, { name: 'grpc', dependencies: ['config', 'tracing', 'model', 'inference', 'metrics', 'health', 'admission', 'api-keys'] })
