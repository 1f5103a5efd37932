import Fastify from 'fastify'
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
t.test('a traced /predict on onnxruntime workers: the client\'s traceparent, then request, classify, decode, queue, batch and the worker\'s inference span under one trace id', async t => {
  const exporter = new InMemorySpanExporter()
  const { stream, lines } = captureLogs()
  // The default engine on a machine without a GPU: onnxruntime sessions on worker threads. One worker, so that
  // requests sent together share its batches.
  const config = loadConfig({ INFERENCE_BACKEND: 'onnxruntime', INFERENCE_WORKERS: '1', GRPC_PORT: '0', HOST: '127.0.0.1' })
  const server = Fastify({ ...serverOptions(config), logger: { level: 'info', stream } })
  t.teardown(() => server.close())
  await server.register(app, { config, spanProcessors: [new SimpleSpanProcessor(exporter)] })
  await server.ready()
  t.equal(server.models.default.workerRunners.length, 1, 'inference on a worker thread')

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const parentSpanId = '00f067aa0ba902b7'
  const photo = imageFile(await readFixture('images', 'flower.jpg'))
  const res = await server.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: { ...photo.headers, traceparent: `00-${traceId}-${parentSpanId}-01` } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['x-trace-id'], traceId, 'the trace id in a response header')

  const spans = exporter.getFinishedSpans()
  const byName = (name: string) => spans.find(s => s.name === name)
  const request = byName('request')
  t.ok(request, 'the request span of @fastify/otel')
  t.equal(request?.parentSpanContext?.spanId, parentSpanId, 'a child of the client\'s span (W3C traceparent)')
  for (const name of ['classify', 'decode', 'queue', 'batch', 'inference']) {
    const span = byName(name)
    t.ok(span, `${name} span`)
    t.equal(span?.spanContext().traceId, traceId, `${name}: the same trace`)
  }
  const { name: model, version, settings } = server.models.default
  const described = { 'model.name': model, 'model.version': version, 'model.repository_version': 1, 'inference.backend': 'onnxruntime', 'inference.precision': settings.precision }
  t.ok(settings.precision === 'int8' || settings.precision === 'fp32', `the precision served: ${String(settings.precision)}`)
  const inference = byName('inference')!
  t.match(inference.attributes, { ...described, 'inference.batch_size': 1, 'thread.name': 'worker-0' }, 'inference: model, version, backend, precision, batch size, the worker thread')
  t.ok(typeof inference.attributes['thread.id'] === 'number' && inference.attributes['thread.id'] > 0, `a worker thread's id (${String(inference.attributes['thread.id'])}), not the main thread's 0`)
  t.match(byName('batch')?.attributes, { ...described, 'inference.batch_size': 1, 'thread.name': 'worker-0' }, 'batch: the same, and its size')
  t.same(byName('batch')?.links, [], 'alone in its batch: no batch-mates to link')
  t.match(byName('decode')?.attributes, { 'image.format': 'jpeg', 'model.name': model }, 'decode: the image and the model')
  const classify = byName('classify')!
  for (const name of ['decode', 'queue', 'batch']) t.equal(byName(name)?.parentSpanContext?.spanId, classify.spanContext().spanId, `${name} is a child of classify`)
  t.equal(inference.parentSpanContext?.spanId, byName('batch')!.spanContext().spanId, 'inference is a child of batch')
  // The main thread measured queue and batch; the worker, inference, on its own clock (both epoch milliseconds).
  const ms = (time: [number, number]) => time[0] * 1000 + time[1] / 1e6
  const batch = byName('batch')!
  t.ok(Math.abs(ms(byName('queue')!.endTime) - ms(batch.startTime)) < 0.01, 'queue ends where batch begins')
  t.ok(ms(inference.startTime) >= ms(batch.startTime) - 1 && ms(inference.endTime) <= ms(batch.endTime) + 1,
    `the worker's inference (${ms(inference.startTime).toFixed(1)}..${ms(inference.endTime).toFixed(1)}) lies within its batch (${ms(batch.startTime).toFixed(1)}..${ms(batch.endTime).toFixed(1)})`)
  t.ok(ms(inference.endTime) - ms(inference.startTime) > 0, 'and takes time')

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
  for (const name of ['classify', 'decode', 'queue', 'batch', 'inference']) t.equal(grpcSpans.find(s => s.name === name)?.spanContext().traceId, grpcTraceId, `gRPC ${name}: the same trace`)

  // Requests sharing a batch: each gets its own batch span, in its own trace, linked to its batch-mates' requests.
  exporter.reset()
  const traceOf = (n: number) => String(n).repeat(32)
  const send = (n: number, images: number) => server.inject({
    method: 'POST',
    url: '/predict',
    payload: { images: Array.from({ length: images }, () => flowerJpeg.toString('base64')) },
    headers: { traceparent: `00-${traceOf(n)}-${'e'.repeat(15)}${n}-01` }
  })
  // Twelve images keep the one worker busy for a few batches, while two more requests arrive and queue behind them.
  const first = send(1, 12)
  let settled = false
  void first.finally(() => { settled = true })
  while (server.models.default.inFlight === 0 && !settled) await new Promise(resolve => setImmediate(resolve))
  const answers = await Promise.all([first, send(2, 1), send(3, 1)])
  t.same(answers.map(a => a.statusCode), [200, 200, 200])
  const finished = exporter.getFinishedSpans()
  const classifySpans = new Map(finished.filter(s => s.name === 'classify').map(s => [s.spanContext().spanId, s.spanContext().traceId]))
  t.equal(classifySpans.size, 3)
  const batches = finished.filter(s => s.name === 'batch')
  t.equal(batches.length, 14, 'a batch span per image')
  const shape = (b: ReadableSpan) => `batch of ${String(b.attributes['inference.batch_size'])} in trace ${b.spanContext().traceId.slice(0, 4)}: ${b.links.length} links`
  t.same(batches.filter(b => !b.links.every(l => classifySpans.has(l.context.spanId) && l.context.traceId !== b.spanContext().traceId)).map(shape), [],
    'every link points at the classify span of another request')
  t.same(batches.filter(b => b.links.length >= (b.attributes['inference.batch_size'] as number)).map(shape), [], 'a batch span links at most its batch\'s other requests')
  t.same(batches.filter(b => finished.find(s => s.name === 'inference' && s.parentSpanContext?.spanId === b.spanContext().spanId)?.spanContext().traceId !== b.spanContext().traceId).map(shape), [],
    'each batch span has the worker\'s inference span under it, in its own trace')
  const late = batches.filter(b => b.spanContext().traceId !== traceOf(1))
  t.ok(late.some(b => b.links.length > 0), `the later requests shared a batch (sizes ${late.map(b => String(b.attributes['inference.batch_size'])).join(', ')}) and link their batch-mates`)
})

interface OtlpSpan { traceId: string, spanId: string, parentSpanId?: string, name: string, attributes?: Array<{ key: string, value: Record<string, unknown> }> }

t.test('server.ts exports its spans over OTLP/HTTP (JSON) to a receiver and to the console (OTEL_TRACES_EXPORTER=otlp,console)', async t => {
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
  const logDir = await mkdtemp(join(tmpdir(), 'tracing-'))
  t.teardown(() => rm(logDir, { recursive: true, force: true }))
  const logFile = join(logDir, 'stdout.log')
  const service = new ServiceProcess({
    port,
    name: 'otlp',
    logFile,
    env: { OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100', INFERENCE_BACKEND: 'onnxruntime', INFERENCE_WORKERS: '1' }
  })
  t.teardown(() => { if (service.running) service.signal('SIGKILL') })
  await service.waitReady()
  const traceId = 'c'.repeat(32)
  const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: flowerJpeg, headers: { 'content-type': 'image/jpeg', traceparent: `00-${traceId}-${'d'.repeat(16)}-01` } })
  t.equal(res.status, 200, await res.text())
  t.equal(res.headers.get('x-trace-id'), traceId)
  service.signal('SIGTERM')
  await service.waitExit(30_000)
  const ours = spans.filter(s => s.traceId === traceId)
  for (const name of ['request', 'classify', 'decode', 'queue', 'batch', 'inference']) t.ok(ours.some(s => s.name === name), `${name} span received over OTLP/HTTP`)
  const received = (name: string) => ours.find(s => s.name === name)
  t.equal(received('inference')?.parentSpanId, received('batch')?.spanId, 'inference under batch')
  t.same(received('inference')?.attributes?.find(a => a.key === 'thread.name')?.value, { stringValue: 'worker-0' })

  // The console exporter prints each span as an inspected object (its format is for people, "may change at any time").
  const printed = (await readFile(logFile, 'utf8')).match(/^\{\n[\s\S]*?\n\}$/gm) ?? []
  const shown = printed.filter(block => block.includes(`traceId: '${traceId}'`)).map(block => ({
    name: /^ {2}name: '([^']+)'/m.exec(block)?.[1],
    id: /^ {2}id: '([0-9a-f]{16})'/m.exec(block)?.[1],
    parent: /parentSpanContext: \{[^}]*?spanId: '([0-9a-f]{16})'/.exec(block)?.[1],
    worker: block.includes("'thread.name': 'worker-0'")
  }))
  const onConsole = (name: string) => shown.find(s => s.name === name)
  for (const name of ['request', 'classify', 'decode', 'queue', 'batch', 'inference']) t.ok(onConsole(name), `${name} span printed by the console exporter, trace ${traceId}`)
  t.equal(onConsole('inference')?.parent, onConsole('batch')?.id, 'printed: inference under batch')
  t.equal(onConsole('batch')?.parent, onConsole('classify')?.id, 'printed: batch under classify')
  t.ok(onConsole('inference')?.worker, 'printed: the inference ran on worker-0')
})
