import { SpanStatusCode, context, trace, type Attributes, type Context, type Link, type Tracer } from '@opentelemetry/api'
import { NodeSDK } from '@opentelemetry/sdk-node'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Config } from '../common/config.js'
import { serviceInfo } from '../common/project.js'

/**
 * OpenTelemetry tracing, configured as every OTel SDK is, by the standard OTEL_* variables (exporter, endpoint,
 * sampler, propagators, resource), which the Node SDK reads from the process environment. Off unless
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER says where spans go: then nothing is started and the
 * inference path creates no span at all.
 */

export type TracingSettings = Partial<Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_TRACES_EXPORTER'>>

export function tracingWanted (settings: TracingSettings): boolean {
  if (settings.OTEL_TRACES_EXPORTER !== undefined) return settings.OTEL_TRACES_EXPORTER.split(',').some(e => !['none', ''].includes(e.trim()))
  return settings.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined
}

export interface Tracing {
  tracer: Tracer
  /** Flushes the spans not yet exported and stops the SDK. */
  shutdown: () => Promise<void>
}

/**
 * Starts the Node SDK for traces only (metrics stay with Prometheus, logs with pino): the exporters OTEL_* names,
 * or `spanProcessors` when given (tests: the in-memory exporter). Registers the global tracer provider, context
 * manager and propagator (W3C traceparent by default).
 */
export function startTracing (options: { serviceName: string, spanProcessors?: SpanProcessor[] }): Tracing {
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...(options.spanProcessors !== undefined ? { spanProcessors: options.spanProcessors } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: []
  })
  sdk.start()
  return { tracer: trace.getTracer(serviceInfo.name, serviceInfo.version), shutdown: () => sdk.shutdown() }
}

/** performance.now() milliseconds as the epoch milliseconds spans take. */
export const epochMs = (at: number): number => performance.timeOrigin + at

/**
 * A span over a stage already measured, from `startMs` to `endMs` (epoch milliseconds), under `parent` (the active
 * context by default); returns the context it opens, for its children.
 */
export function recordSpan (tracer: Tracer, name: string, startMs: number, endMs: number, attributes: Attributes, options: { parent?: Context, links?: Link[] } = {}): Context {
  const parent = options.parent ?? context.active()
  const span = tracer.startSpan(name, { startTime: startMs, attributes, links: options.links }, parent)
  span.end(endMs)
  return trace.setSpan(parent, span)
}

/** Runs `fn` inside a span named `name`, ended when it settles (with the error, if any). */
export async function inSpan<T> (tracer: Tracer | undefined, name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (tracer === undefined) return fn()
  const span = tracer.startSpan(name, { attributes })
  try {
    return await context.with(trace.setSpan(context.active(), span), fn)
  } catch (err) {
    span.recordException(err as Error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
    throw err
  } finally {
    span.end()
  }
}
