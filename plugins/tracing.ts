import fp from 'fastify-plugin'
import FastifyOtel from '@fastify/otel'
import type { Tracer } from '@opentelemetry/api'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { isOperationsRoute } from '../services/admission/route-access.js'
import { startTracing, tracingWanted } from '../services/observability/tracing.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The tracer of the inference spans; null when tracing is off (the default). */
    tracer: Tracer | null
  }
}

export interface TracingPluginOptions {
  /** Where spans go instead of the exporters OTEL_* names (tests: the SDK's in-memory exporter); turns tracing on. */
  spanProcessors?: SpanProcessor[]
}

/**
 * OpenTelemetry traces, when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER is set: the Node SDK (traces
 * only), @fastify/otel for the request span (a W3C traceparent from the client is its parent), and the trace id in
 * every log line of the request and in the X-Trace-Id response header. services/inference/classify.ts adds the decode,
 * queue and inference spans. Registered first, so that every route and hook is instrumented.
 */
export default fp<TracingPluginOptions>(async function tracing (fastify, opts) {
  const { config } = fastify
  if (opts.spanProcessors === undefined && !tracingWanted(config)) {
    fastify.decorate('tracer', null)
    return
  }
  const started = startTracing({ serviceName: config.OTEL_SERVICE_NAME, spanProcessors: opts.spanProcessors })
  fastify.decorate('tracer', started.tracer)
  // A span per request and per handler, not per hook (a dozen plugins add hooks); probes and scrapes untraced.
  const instrumentation = new FastifyOtel.FastifyOtelInstrumentation({ instrumentHooks: false, ignorePaths: route => isOperationsRoute(route.url) })
  await fastify.register(instrumentation.plugin())
  fastify.addHook('onRequest', async (request, reply) => {
    const span = request.opentelemetry().span
    if (span == null) return
    const { traceId } = span.spanContext()
    request.log = request.log.child({ traceId })
    // The reply keeps its own reference: "request completed" is written with it.
    reply.log = request.log
    reply.header('x-trace-id', traceId)
  })
  fastify.addHook('onClose', async () => started.shutdown())
  fastify.log.info({ exporter: opts.spanProcessors !== undefined ? 'given' : config.OTEL_TRACES_EXPORTER ?? 'otlp', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'OpenTelemetry tracing on')
}, { name: 'tracing', dependencies: ['config'] })
