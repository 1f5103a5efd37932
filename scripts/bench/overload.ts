/**
 * npm run bench:overload: the service past its capacity. Starts the built service, then drives it with closed-loop
 * clients that ignore Retry-After (each sends its next request as soon as it has an answer, 503 or not: what a
 * retry storm behind a load balancer looks like), at 16, 64, 128 and 256 clients; then with the SDK's clients,
 * which honour Retry-After within their retry budget. Prints, per point: answers 200 per second, 503s per second,
 * any other error, the p50/p99 of the 200s, the cores the server used, the 200s per server core, and the server
 * CPU per refusal (its CPU less what the 200s cost at 16 clients, over the refusals). Writes
 * bench/results/overload.json and overload.svg.
 *
 *   npm run bench:overload
 *   OVERLOAD_CONCURRENCY="16 128" OVERLOAD_SECONDS=10 npm run bench:overload
 *   OVERLOAD_COMPARE=1 npm run bench:overload    also the same points with ADMISSION_LIMIT=off (only MAX_QUEUE)
 *   OVERLOAD_ENV='{"ADMISSION_TOLERANCE":"2"}' BENCH_PHOTOS=/tmp/peers-work/pictures/package/assets MODEL_DIR=model/food-v2 ...
 */
import { execSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cpus } from 'node:os'
import { ClassifierClient, ApiError } from '../../sdk/src/index.js'
import { projectRoot } from '../../services/common/project.js'
import { LoadGenerator } from './load-generator.js'
import { benchPhotos, multipartUpload, percentile } from './load.js'
import { plotSvg, type Series } from './plot.js'
import { startServer, type RunningServer } from './server.js'

const concurrencies = (process.env.OVERLOAD_CONCURRENCY ?? '16 64 128 256').split(/\s+/).filter(Boolean).map(Number)
const sdkConcurrencies = (process.env.OVERLOAD_SDK_CONCURRENCY ?? '128 256').split(/\s+/).filter(Boolean).map(Number)
const seconds = Number(process.env.OVERLOAD_SECONDS ?? 15)
const extraEnv = JSON.parse(process.env.OVERLOAD_ENV ?? '{}') as Record<string, string>
const TICK_MS = 10 // /proc CPU times are in 1/100 s

interface Point {
  mode: string
  clients: number
  seconds: number
  okPerSecond: number
  refusedPerSecond: number
  otherErrors: Record<string, number>
  p50: number
  p99: number
  serverCores: number
  okPerServerCore: number
  /** Server CPU ms per refusal: its CPU less the 200s' cost at the lowest concurrency, over the refusals. */
  cpuPerRefusalMs: number | null
  /** SDK mode: calls that failed after their retries; server-side 503s per second. */
  sdkFailedCalls?: number
}

/** CPU milliseconds used so far by a process, all its threads. */
async function processCpuMs (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

async function serverRefusals (url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('http_requests_total{') && line.includes('status_code="503"')) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/** Closed-loop clients that ignore Retry-After. */
async function stormPoint (server: RunningServer, mode: string, uploads: ReturnType<typeof multipartUpload>[], clients: number): Promise<Omit<Point, 'cpuPerRefusalMs'> & { cpuMs: number, ok: number, refused: number }> {
  const pid = server.child.pid as number
  const url = new URL(server.url)
  const load = new LoadGenerator({ host: url.hostname, port: Number(url.port), uploads, concurrency: clients, idPrefix: `overload-${clients}-`, errorPauseMs: 0 })
  const cpu0 = await processCpuMs(pid)
  const started = performance.now()
  load.start()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const records = await load.stop()
  const elapsed = (performance.now() - started) / 1000
  const cpuMs = await processCpuMs(pid) - cpu0
  const ok = records.filter(r => r.status === 200)
  const refused = records.filter(r => r.status === 503).length
  const otherErrors: Record<string, number> = {}
  for (const r of records) {
    if (r.status === 200 || r.status === 503) continue
    const key = r.status !== undefined ? `HTTP ${r.status}` : String(r.error)
    otherErrors[key] = (otherErrors[key] ?? 0) + 1
  }
  const latencies = ok.map(r => r.endedAt - r.sentAt).sort((a, b) => a - b)
  const serverCores = cpuMs / 1000 / elapsed
  return {
    mode, clients, seconds: elapsed, cpuMs, ok: ok.length, refused,
    okPerSecond: ok.length / elapsed, refusedPerSecond: refused / elapsed, otherErrors,
    p50: percentile(latencies, 50), p99: percentile(latencies, 99), serverCores, okPerServerCore: ok.length / elapsed / serverCores
  }
}

/** Closed-loop SDK clients (ClassifierClient, retries on by default): each calls predict again once its call ends. */
async function sdkPoint (server: RunningServer, photos: Array<{ name: string, bytes: Buffer }>, clients: number): Promise<Point> {
  const pid = server.child.pid as number
  const blobs = photos.map(p => new Blob([new Uint8Array(p.bytes)], { type: 'image/jpeg' }))
  const refused0 = await serverRefusals(server.url)
  const cpu0 = await processCpuMs(pid)
  const started = performance.now()
  const end = started + seconds * 1000
  const latencies: number[] = []
  const failures: Record<string, number> = {}
  let failed = 0
  let sent = 0
  await Promise.all(Array.from({ length: clients }, async () => {
    const client = new ClassifierClient({ baseUrl: server.url })
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        await client.predict(blobs[sent++ % blobs.length])
        latencies.push(performance.now() - t0)
      } catch (err) {
        failed++
        const key = err instanceof ApiError ? `HTTP ${err.status}` : (err as Error).message
        failures[key] = (failures[key] ?? 0) + 1
      }
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  const cpuMs = await processCpuMs(pid) - cpu0
  const refused = await serverRefusals(server.url) - refused0
  latencies.sort((a, b) => a - b)
  const serverCores = cpuMs / 1000 / elapsed
  return {
    mode: 'SDK clients (Retry-After, retry budget)', clients, seconds: elapsed, okPerSecond: latencies.length / elapsed, refusedPerSecond: refused / elapsed,
    otherErrors: Object.fromEntries(Object.entries(failures).filter(([k]) => k !== 'HTTP 503')), p50: percentile(latencies, 50), p99: percentile(latencies, 99),
    serverCores, okPerServerCore: latencies.length / elapsed / serverCores, cpuPerRefusalMs: null, sdkFailedCalls: failed
  }
}

execSync('npm run build --silent', { cwd: projectRoot, stdio: 'inherit' })
const photos = await benchPhotos()
const uploads = photos.map(p => multipartUpload(p.bytes, p.name))
const baseEnv = { INFERENCE_BACKEND: process.env.BENCH_BACKEND ?? 'auto', ...(process.env.MODEL_DIR !== undefined ? { MODEL_DIR: process.env.MODEL_DIR } : {}), ...extraEnv }
const modes: Array<[string, Record<string, string>]> = [['adaptive admission (default)', {}]]
if (process.env.OVERLOAD_COMPARE === '1') modes.push(['ADMISSION_LIMIT=off (MAX_QUEUE only)', { ADMISSION_LIMIT: 'off' }])

const points: Point[] = []
const fmt = (p: Point): string => `${p.mode.padEnd(40)} ${String(p.clients).padStart(4)}  ${p.okPerSecond.toFixed(1).padStart(6)} 200/s  ${p.refusedPerSecond.toFixed(0).padStart(5)} 503/s  ` +
  `p50 ${p.p50.toFixed(0).padStart(5)}  p99 ${p.p99.toFixed(0).padStart(5)} ms  server ${p.serverCores.toFixed(2)} cores  ${p.okPerServerCore.toFixed(1).padStart(5)} 200/s/core  ` +
  `${p.cpuPerRefusalMs === null ? '' : `${p.cpuPerRefusalMs.toFixed(2)} ms CPU/refusal  `}${p.sdkFailedCalls !== undefined ? `${p.sdkFailedCalls} calls failed after retries  ` : ''}${Object.keys(p.otherErrors).length > 0 ? JSON.stringify(p.otherErrors) : ''}`
for (const [mode, env] of modes) {
  const server = await startServer({ ...baseEnv, ...env })
  try {
    await stormPoint(server, mode, uploads, 4) // warm-up
    let okCostMs: number | undefined
    for (const clients of concurrencies) {
      const raw = await stormPoint(server, mode, uploads, clients)
      okCostMs ??= raw.cpuMs / Math.max(1, raw.ok) // the lowest concurrency: (nearly) all its CPU went to 200s
      const { cpuMs, ok, refused, ...rest } = raw
      const point: Point = { ...rest, cpuPerRefusalMs: refused > 0 ? Math.max(0, cpuMs - ok * okCostMs) / refused : null }
      points.push(point)
      console.log(fmt(point))
    }
    if (mode === modes[0][0]) {
      for (const clients of sdkConcurrencies) {
        const point = await sdkPoint(server, photos, clients)
        points.push(point)
        console.log(fmt(point))
      }
    }
  } finally {
    await server.stop()
  }
}

const base = points.find(p => p.mode === modes[0][0] && p.clients === concurrencies[0])
if (base !== undefined) {
  console.log(`\nagainst ${base.clients} clients (${base.okPerServerCore.toFixed(1)} 200/s per server core, p99 ${base.p99.toFixed(0)} ms):`)
  for (const p of points.filter(p => p !== base)) {
    console.log(`  ${p.mode}, ${p.clients} clients: 200/s per server core x${(p.okPerServerCore / base.okPerServerCore).toFixed(2)}, p99 x${(p.p99 / base.p99).toFixed(2)}`)
  }
}
const outDir = join(projectRoot, 'bench/results')
await mkdir(outDir, { recursive: true })
const date = new Date().toISOString()
const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`
await writeFile(join(outDir, 'overload.json'), JSON.stringify({ date, machine, photos: process.env.BENCH_PHOTOS ?? 'fixtures', env: baseEnv, seconds, points }, null, 2) + '\n')
const colors = ['#1f77b4', '#d62728', '#2ca02c']
const series: Series[] = [...new Set(points.map(p => p.mode))].map((mode, i) => ({
  name: mode, color: colors[i % colors.length], points: points.filter(p => p.mode === mode).map(p => ({ concurrency: p.clients, rps: p.okPerSecond, p99: p.p99 }))
}))
await writeFile(join(outDir, 'overload.svg'), plotSvg(series, 'Overload: answers 200 per second and their p99', `${machine}; closed-loop clients ignoring Retry-After, and SDK clients honouring it; ${date.slice(0, 10)}`))
console.log('wrote bench/results/overload.json and overload.svg')
