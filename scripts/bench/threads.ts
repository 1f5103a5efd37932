/**
 * npm run bench:threads: where the CPU goes per request. Starts the built service, loads it at one concurrency
 * with real photos, and reads each of its threads' CPU time from /proc (Linux) before and after: printed as
 * milliseconds of CPU per answered request, thread by thread, with the load generator's own CPU beside it.
 *
 *   npm run bench:threads                              model/food, 16 clients, 15 s
 *   MODEL_DIR=model/food-v2 THREADS_CONCURRENCY=16 THREADS_SECONDS=15 npm run bench:threads
 *   THREADS_ENV='{"MAX_BATCH_SIZE":"1"}' npm run bench:threads     extra service settings (JSON)
 *   BENCH_BACKEND=wasm BENCH_PHOTOS=phone npm run bench:threads     another backend (default auto); 12 MP phone photos
 *
 * Thread names come from the kernel: libvips names its workers; Node's main thread, inference workers, libuv
 * pool and V8 platform (GC) threads are all "node", so they are told apart by their CPU share and the order
 * Node starts them in (main = the process id; then V8 platform, libuv and the inference workers).
 */
import { execSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { projectRoot } from '../../services/common/project.js'
import { benchPhotos, multipartUpload, runLoad } from './load.js'
import { startServer } from './server.js'

const concurrency = Number(process.env.THREADS_CONCURRENCY ?? 16)
const seconds = Number(process.env.THREADS_SECONDS ?? 15)
const extraEnv = JSON.parse(process.env.THREADS_ENV ?? '{}') as Record<string, string>
const TICK_MS = 1000 / 100 // /proc times are in clock ticks, 100 per second on Linux

/** CPU milliseconds so far of each thread of a process, by thread id, with the thread's name. */
function threadTimes (pid: number): Map<number, { name: string, ms: number }> {
  const out = new Map<number, { name: string, ms: number }>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(Number(tid), { name, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS })
    } catch {} // a thread that ended between the listing and the read
  }
  return out
}

/** Resident memory of a process, in MiB (VmRSS). */
function rssMiB (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? NaN : Number(match[1]) / 1024
}

execSync('npm run build --silent', { cwd: projectRoot, stdio: 'inherit' })
const uploads = (await benchPhotos()).map(p => multipartUpload(p.bytes, p.name))
const env = { INFERENCE_BACKEND: process.env.BENCH_BACKEND ?? 'auto', MAX_QUEUE: '256', ...(process.env.MODEL_DIR !== undefined ? { MODEL_DIR: process.env.MODEL_DIR } : {}), ...extraEnv }
const server = await startServer(env)
try {
  const pid = server.child.pid as number
  await runLoad(server.url, uploads, 4, 3) // warm-up
  const before = threadTimes(pid)
  const rssBefore = rssMiB(pid)
  let rssPeak = rssBefore
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMiB(pid)) }, 100)
  const client = process.cpuUsage()
  const load = await runLoad(server.url, uploads, concurrency, seconds)
  clearInterval(sampler)
  const clientMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(client))
  const after = threadTimes(pid)
  const answered = load.rps * load.seconds
  const rows = [...after].map(([tid, { name, ms }]) => ({ tid, name: tid === pid ? 'node (main thread)' : name, ms: ms - (before.get(tid)?.ms ?? 0) }))
    .filter(r => r.ms > 0).sort((a, b) => b.ms - a.ms)
  const total = rows.reduce((n, r) => n + r.ms, 0)
  console.log(`threads: ${JSON.stringify(env)}; ${concurrency} clients for ${load.seconds.toFixed(1)} s: ${load.rps.toFixed(1)} req/s, p99 ${load.p99.toFixed(0)} ms, ${load.errors} errors`)
  console.log(`RSS: ${rssBefore.toFixed(0)} MiB before the load, peak ${rssPeak.toFixed(0)} MiB during it (sampled every 100 ms)`)
  console.log('CPU per answered request, by thread of the service:')
  for (const r of rows) {
    if (r.ms / total < 0.005) continue
    console.log(`  ${String(r.tid).padStart(8)}  ${r.name.padEnd(20)} ${(r.ms / answered).toFixed(2).padStart(6)} ms  ${(100 * r.ms / (load.seconds * 1000)).toFixed(1).padStart(5)}% of a core`)
  }
  console.log(`  service total                  ${(total / answered).toFixed(2).padStart(6)} ms`)
  console.log(`  load generator (this process)  ${(clientMs / answered).toFixed(2).padStart(6)} ms`)
} finally {
  await server.stop()
}
