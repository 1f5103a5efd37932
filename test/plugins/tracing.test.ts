import Fastify from 'fastify'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Metadata, credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import t from 'tap'
import { PROTO_PATH } from '../../routes/grpc.js'
import app, { serverOptions } from '../../app.js'
import { loadConfig } from '../../services/common/config.js'
import { tracingWanted } from '../../services/observability/tracing.js'
import { ServiceProcess, freePort } from '../../scripts/deploy/service-process.js'
import { build, captureLogs, fixture, imageFile, readFixture } from '../helper.js'

const flowerJpeg = readFileSync(fixture('images', 'flower.jpg'))

t.test('tracing is on only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER says where spans go', async t => {
  t.equal(tracingWanted({}), false)
  t.equal(tracingWanted({ OTEL_TRACES_EXPORTER: 'none' }), false)
  t.equal(tracingWanted({ OTEL_TRACES_EXPORTER: 'console' }), true)
  t.equal(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true)
  const off = await build(t)
  t.equal(off.tracer, null)
  const res = await off.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'flower.jpg')) })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['x-trace-id'], undefined, 'no trace id when off')
})

// The SDK registers a global tracer provider: one traced app per test file.
t.test('a traced /predict: the client\'s traceparent, then the request, classify, decode, queue and inference spans under one trace id', async t => {
  const exporter = new InMemorySpanExporter()
  const { stream, lines } = captureLogs()
  const config = loadConfig({ INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '1', GRPC_PORT: '0', HOST: '127.0.0.1' })
  const server = Fastify({ ...serverOptions(config), logger: { level: 'info', stream } })
  t.teardown(() => server.close())
  await server.register(app, { config, spanProcessors: [new SimpleSpanProcessor(exporter)] })
  await server.ready()

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const parentSpanId = '00f067aa0ba902b7'
  const photo = imageFile(await readFixture('images', 'flower.jpg'))
  const res = await server.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: { ...photo.headers, traceparent: `00-${traceId}-${parentSpanId}-01` } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-trace-id'], traceId, 'the trace id in a response header')

  const spans = exporter.getFinishedSpans()
  const byName = (name: string) => spans.find(s => s.name === name)
  const request = byName('request')
  t.ok(request, 'the request span of @fastify/otel')
  t.equal(request?.parentSpanContext?.spanId, parentSpanId, 'a child of the client\'s span (W3C traceparent)')
  for (const name of ['classify', 'decode', 'queue', 'inference']) {
    const span = byName(name)
    t.ok(span, `a ${name} span`)
    t.equal(span?.spanContext().traceId, traceId, `${name}: the same trace`)
  }
  const { name: model, version } = server.models.default
  t.match(byName('inference')?.attributes, { 'model.name': model, 'model.version': version, 'model.repository_version': 1, 'inference.backend': 'wasm', 'inference.precision': 'fp32', 'inference.batch_size': 1 })
  t.match(byName('decode')?.attributes, { 'image.format': 'jpeg', 'model.name': model })
  const classify = byName('classify')!
  for (const name of ['decode', 'queue', 'inference']) t.equal(byName(name)?.parentSpanContext?.spanId, classify.spanContext().spanId, `${name} is a child of classify`)
  // A span's times come from the stage timings: queue ends where inference begins.
  const ms = (time: [number, number]) => time[0] * 1000 + time[1] / 1e6
  t.ok(Math.abs(ms(byName('queue')!.endTime) - ms(byName('inference')!.startTime)) < 1)

  const logged = lines.filter(l => l.reqId === res.headers['x-request-id'])
  t.ok(logged.length >= 2, 'the request\'s log lines')
  t.same(logged.filter(l => l.traceId !== traceId).map(l => l.msg), [], 'each carries the trace id')

  const probes = exporter.getFinishedSpans().length
  await server.inject('/health/ready')
  t.equal(exporter.getFinishedSpans().length, probes, 'probes are not traced')

  // gRPC: a ModelInfer with traceparent metadata runs in a server span of that trace, its stages under it.
  exporter.reset()
  const definition = loadPackageDefinition(loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: true, oneofs: true }))
  const Client = (definition.inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor
  const client = new Client(`127.0.0.1:${server.grpc.port}`, credentials.createInsecure())
  t.teardown(() => client.close())
  const grpcTraceId = 'a'.repeat(32)
  const metadata = new Metadata()
  metadata.set('traceparent', `00-${grpcTraceId}-${'b'.repeat(16)}-01`)
  const answered = await new Promise<{ err: Error | null, traceHeader?: string }>(resolve => {
    let traceHeader: string | undefined
    const call = client.ModelInfer({ model_name: 'food', inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [flowerJpeg] } }] }, metadata, (err: Error | null) => resolve({ err, traceHeader }))
    call.on('metadata', (m: Metadata) => { traceHeader = String(m.get('x-trace-id')[0]) })
  })
  t.equal(answered.err, null)
  t.equal(answered.traceHeader, grpcTraceId, 'the trace id in the response metadata')
  const grpcSpans = exporter.getFinishedSpans()
  const rpc = grpcSpans.find(s => s.name === 'ModelInfer')
  t.equal(rpc?.parentSpanContext?.spanId, 'b'.repeat(16))
  for (const name of ['classify', 'decode', 'queue', 'inference']) t.equal(grpcSpans.find(s => s.name === name)?.spanContext().traceId, grpcTraceId, `gRPC ${name}: the same trace`)
})

interface OtlpSpan { traceId: string, spanId: string, parentSpanId?: string, name: string }

t.test('OTEL_EXPORTER_OTLP_ENDPOINT: server.ts exports its spans over OTLP/HTTP (JSON) to a receiver', async t => {
  // No OTLP receiver (an OpenTelemetry Collector, Jaeger) installs from npm or Debian here: this one takes what the
  // SDK's own OTLP/HTTP exporter sends, as a collector's otlphttp receiver would.
  const spans: OtlpSpan[] = []
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
        for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans)
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve))
  t.teardown(() => receiver.close())
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

  const port = await freePort()
  const service = new ServiceProcess({ port, name: 'otlp', env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', INFERENCE_WORKERS: '1' } })
  t.teardown(() => { if (service.running) service.signal('SIGKILL') })
  await service.waitReady()
  const traceId = 'c'.repeat(32)
  const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: flowerJpeg, headers: { 'content-type': 'image/jpeg', traceparent: `00-${traceId}-${'d'.repeat(16)}-01` } })
  t.equal(res.status, 200, await res.text())
  t.equal(res.headers.get('x-trace-id'), traceId)
  service.signal('SIGTERM')
  await service.waitExit(30_000)
  const ours = spans.filter(s => s.traceId === traceId)
  for (const name of ['request', 'classify', 'decode', 'queue', 'inference']) t.ok(ours.some(s => s.name === name), `${name} span received over OTLP/HTTP`)
})
