/**
 * gRPC against REST on one server: closed-loop clients at 1, 4 and 16 (BENCH_CONCURRENCY), BENCH_SECONDS each,
 * the same photos (BENCH_PHOTOS) to POST /predict (multipart, as the peers' benchmark sends) and to gRPC ModelInfer
 * (one BYTES input, @grpc/grpc-js client over proto/grpc_predict_v2.proto, one channel per client). Runs the service
 * from sources (tsx) with GRPC_PORT set; everything else as configured in the environment.
 *
 *   npx tsx scripts/bench/grpc.ts        # BENCH_SECONDS=15 BENCH_CONCURRENCY=1,4,16
 */
import { Metadata, credentials, loadPackageDefinition, type Client, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { PROTO_PATH } from '../../routes/grpc.js'
import { ServiceProcess, freePort } from '../deploy/service-process.js'
import { benchPhotos, multipartUpload, percentile, runLoad } from './load.js'

const seconds = Number(process.env.BENCH_SECONDS ?? 15)
const levels = (process.env.BENCH_CONCURRENCY ?? '1,4,16').split(',').map(Number)

async function grpcLoad (target: string, photos: Buffer[], concurrency: number) {
  const definition = loadPackageDefinition(loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: true, oneofs: true }))
  const Service = (definition.inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor
  // A channel per client, as separate client processes would have: one shared HTTP/2 connection is another test.
  const clients: Client[] = Array.from({ length: concurrency }, (_, i) => new Service(target, credentials.createInsecure(), { 'grpc.channel_id': i }))
  const latencies: number[] = []
  const codes: Record<string, number> = {}
  let n = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(clients.map(async client => {
    while (performance.now() < end) {
      const photo = photos[n++ % photos.length]
      const t0 = performance.now()
      const code = await new Promise<string>(resolve => {
        (client as unknown as Record<string, (...args: unknown[]) => void>).ModelInfer({ model_name: 'food', inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [photo] } }] },
          new Metadata(), { deadline: Date.now() + 30_000 }, (err: { code: number } | null) => resolve(err === null ? 'OK' : String(err.code)))
      })
      codes[code] = (codes[code] ?? 0) + 1
      if (code === 'OK') latencies.push(performance.now() - t0)
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  clients.forEach(c => c.close())
  latencies.sort((a, b) => a - b)
  return { concurrency, rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), codes }
}

const photos = await benchPhotos()
const port = await freePort()
const grpcPort = await freePort()
const service = new ServiceProcess({ port, name: 'bench-grpc', env: { GRPC_PORT: String(grpcPort), LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(INFERENCE_|MAX_BATCH|ADMISSION_|ORT_|ONNX_)/.test(k)) as Array<[string, string]>) } })
try {
  await service.waitReady()
  const rows = []
  for (const concurrency of levels) {
    const rest = await runLoad(`http://127.0.0.1:${port}`, photos.map(p => multipartUpload(p.bytes, p.name)), concurrency, seconds)
    const grpc = await grpcLoad(`127.0.0.1:${grpcPort}`, photos.map(p => p.bytes), concurrency)
    rows.push({ clients: concurrency, restRps: rest.rps.toFixed(1), restP50: rest.p50.toFixed(0), restP99: rest.p99.toFixed(0), restErrors: rest.errors, grpcRps: grpc.rps.toFixed(1), grpcP50: grpc.p50.toFixed(0), grpcP99: grpc.p99.toFixed(0), grpcCodes: JSON.stringify(grpc.codes) })
    console.log(JSON.stringify(rows[rows.length - 1]))
  }
  console.table(rows)
} finally {
  service.signal('SIGTERM')
  await service.waitExit(30_000)
}
