/**
 * npm run bench:grpc: gRPC ModelInfer against REST POST /predict on one server process, in the manner of the peers'
 * benchmark (../shared/bench-peers/run-peers.sh): the built service (dist/server.js, as the peers run "project")
 * with bench/peers.env's settings and GRPC_PORT, the peers' photos, closed-loop clients at 1, 4 and 16 over
 * loopback, 2 s of warm-up then 15 s measured per point. The protocols alternate point by point, REST then gRPC at
 * each level and gRPC first in the next repetition (ABBA, so a drift of the machine falls on both alike), and the
 * whole is repeated, twice by default: the spread between repetitions is the noise a difference is read against.
 *
 *   npm run build && npm run bench:grpc          # 2 repetitions x 3 levels x 2 protocols x 17 s: about 3.5 min
 *   npm run bench:grpc -- --seconds 30 --repeat 3 --json bench/results/grpc.json
 *   npm run bench:grpc -- --sources --seconds 1 --warmup 0 --repeat 1      # a smoke run, no build needed
 *
 * Options (in brackets, the environment variable read when the option is not given, and the default):
 *   --seconds S      measured seconds per point (BENCH_SECONDS; 15, as the peers' DURATION)
 *   --warmup S       seconds sent and not measured before each point (2, as the peers' load.mjs)
 *   --clients LIST   closed-loop clients per level (BENCH_CONCURRENCY; 1,4,16)
 *   --repeat N       repetitions of the whole alternation (2)
 *   --photos WHAT    a directory of JPEGs, or fixtures, phone, mixed (BENCH_PHOTOS; the peers' 542 photos,
 *                    /tmp/peers-work/pictures/package/assets, once run-peers.sh has fetched them, else fixtures)
 *   --env "V=x ..."  the service's settings (bench/peers.env's line); the shell's environment is passed on too, as
 *                    the peers' run does, with PORT, HOST, GRPC_PORT, LOG_LEVEL=warn and MALLOC_ARENA_MAX=2 set here
 *   --max-others C   a point during which other processes used more than C cores is run again, up to twice, and
 *                    the least disturbed try kept (0.25, as the peers' FOREIGN_MAX)
 *   --sources        run server.ts through tsx instead of dist/server.js (no build; for smoke runs)
 *   --json FILE      also write every point as JSON
 *
 * REST: multipart `file` as load.mjs sends it, node:http keep-alive with a connection per client, each answer parsed
 * and checked (a label and a probability). gRPC: one BYTES input `image`, @grpc/grpc-js over
 * proto/grpc_predict_v2.proto, a channel (its own HTTP/2 connection) per client, each answer checked (the FP32
 * probabilities). Before measuring, one photo is sent both ways and the two answers must agree. The clients run in
 * this process, on the server's machine: per point, the cores used by the server, by the clients and by anything
 * else are measured (from /proc), as load.mjs measures them; a point where "others" is well above 0 was disturbed.
 *
 * Prints a markdown table: req/s (median of the repetitions, then each one), spread ((max - min) / median of the
 * repetitions' req/s), p50 and p99 in ms (medians of the repetitions'), errors (summed, by kind beneath), cores
 * (server and clients: medians; others: the most any repetition saw); then gRPC/REST per level, and whether that
 * differs from 1 by more than the larger spread.
 */
import { execSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Metadata, credentials, loadPackageDefinition, type Client, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { PROTO_PATH } from '../../routes/grpc.js'
import { projectRoot } from '../../services/common/project.js'
import { freePort } from '../deploy/service-process.js'
import { benchPhotos, multipartUpload, percentile, type Upload } from './load.js'
import { startServer } from './server.js'

const PEERS_PHOTOS = '/tmp/peers-work/pictures/package/assets'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    warmup: { type: 'string', default: '2' },
    clients: { type: 'string' },
    repeat: { type: 'string', default: '2' },
    'max-others': { type: 'string', default: '0.25' },
    photos: { type: 'string' },
    env: { type: 'string' },
    sources: { type: 'boolean', default: false },
    json: { type: 'string' }
  }
})
const seconds = Number(args.seconds ?? process.env.BENCH_SECONDS ?? 15)
const warmup = Number(args.warmup)
const levels = (args.clients ?? process.env.BENCH_CONCURRENCY ?? '1,4,16').split(',').map(Number)
const repeat = Number(args.repeat)
const maxOthers = Number(args['max-others'])
const photoSource = args.photos ?? process.env.BENCH_PHOTOS ?? (existsSync(PEERS_PHOTOS) ? PEERS_PHOTOS : 'fixtures')
const settingsLine = args.env ?? readFileSync(join(projectRoot, 'bench/peers.env'), 'utf8')

/** A usage error: one line, no stack. */
function fail (message: string): never {
  console.error(`bench:grpc: ${message}`)
  process.exit(2)
}
const positive = (name: string, value: number, zero = false) => {
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero)) fail(`${name}: expected a ${zero ? 'non-negative' : 'positive'} number, got ${String(value)}`)
}
positive('--seconds', seconds)
positive('--warmup', warmup, true)
positive('--repeat', repeat)
positive('--max-others', maxOthers, true)
for (const level of levels) positive('--clients', level)
if (!args.sources) checkBuild()

/** dist/server.js must be there, and not older than the sources it was built from. */
function checkBuild (): void {
  const built = join(projectRoot, 'dist/server.js')
  if (!existsSync(built)) fail('dist/server.js not found: npm run build first (or --sources, to run server.ts through tsx)')
  const newest = ['app.ts', 'server.ts', 'plugins', 'routes', 'services'].flatMap(entry => {
    const path = join(projectRoot, entry)
    return statSync(path).isDirectory() ? readdirSync(path, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.ts')).map(f => join(path, f)) : [path]
  }).reduce((latest, file) => Math.max(latest, statSync(file).mtimeMs), 0)
  if (newest > statSync(built).mtimeMs) console.error('bench:grpc: warning: sources changed since dist/ was built (npm run build)')
}

/** `VAR=value VAR=value` (bench/peers.env, the peers' PROJECT_ENV) as an environment. */
function parseSettings (line: string): Record<string, string> {
  const settings: Record<string, string> = {}
  for (const word of line.trim().split(/\s+/).filter(w => w !== '')) {
    const eq = word.indexOf('=')
    if (eq <= 0) fail(`--env: "${word}" is not VAR=value`)
    settings[word.slice(0, eq)] = word.slice(eq + 1)
  }
  return settings
}

type Protocol = 'REST' | 'gRPC'
/** 'OK', or what went wrong (an HTTP status, a gRPC status code, a network error). */
type Outcome = string

interface Point {
  protocol: Protocol
  clients: number
  repetition: number
  /** Tries of this point (more than 1 when other processes used more than --max-others cores). */
  tries: number
  seconds: number
  ok: number
  errors: Record<string, number>
  rps: number
  p50: number
  p99: number
  /** Cores used during the measured seconds: the server process, this process (the clients), the rest of the machine. */
  cores: { server: number, clients: number, others: number }
}

/** CPU time so far, in seconds: the machine's busy time, the server process's, this process's (from /proc; Linux). */
const HZ = (() => { try { return Number(execSync('getconf CLK_TCK').toString().trim()) || 100 } catch { return 100 } })()
function cpuTimes (serverPid: number): { machine: number, server: number, own: number } {
  const own = process.cpuUsage()
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
    const busy = fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4]
    const stat = readFileSync(`/proc/${serverPid}/stat`, 'utf8')
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { machine: busy / HZ, server: (Number(rest[11]) + Number(rest[12])) / HZ, own: (own.user + own.system) / 1e6 }
  } catch {
    return { machine: NaN, server: NaN, own: (own.user + own.system) / 1e6 }
  }
}

/** `clients` closed loops calling `call` back to back: `warmup` seconds unrecorded, then `seconds` recorded. */
async function closedLoop (protocol: Protocol, clients: number, repetition: number, serverPid: number, call: (client: number, photo: number) => Promise<Outcome>): Promise<Point> {
  let next = 0
  const phase = async (duration: number) => {
    const latencies: number[] = []
    const errors: Record<string, number> = {}
    const end = performance.now() + duration * 1000
    await Promise.all(Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < end) {
        const t0 = performance.now()
        const outcome = await call(client, next++)
        if (outcome === 'OK') latencies.push(performance.now() - t0)
        else errors[outcome] = (errors[outcome] ?? 0) + 1
      }
    }))
    return { latencies: latencies.sort((a, b) => a - b), errors }
  }
  if (warmup > 0) await phase(warmup)
  const cpu0 = cpuTimes(serverPid)
  const started = performance.now()
  const { latencies, errors } = await phase(seconds)
  const elapsed = (performance.now() - started) / 1000
  const cpu1 = cpuTimes(serverPid)
  const server = (cpu1.server - cpu0.server) / elapsed
  const own = (cpu1.own - cpu0.own) / elapsed
  return {
    protocol,
    clients,
    repetition,
    tries: 1,
    seconds: elapsed,
    ok: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cores: { server, clients: own, others: Math.max(0, (cpu1.machine - cpu0.machine) / elapsed - server - own) }
  }
}

/** A REST client pool: a kept-alive connection per client, each answer read whole and checked. */
function restCaller (port: number, uploads: Upload[], clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients })
  const call = (_client: number, photo: number): Promise<Outcome> => new Promise(resolve => {
    const upload = uploads[photo % uploads.length]
    const req = request({ host: '127.0.0.1', port, path: '/predict', method: 'POST', agent, timeout: 30_000, headers: { 'content-type': upload.contentType, 'content-length': upload.body.length } }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        if (res.statusCode !== 200) { resolve(`HTTP ${String(res.statusCode)}`); return }
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { label?: unknown, probability?: unknown }
          resolve(typeof body.label === 'string' && typeof body.probability === 'number' ? 'OK' : 'bad body')
        } catch { resolve('bad body') }
      })
      res.on('error', err => resolve((err as NodeJS.ErrnoException).code ?? err.message))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
    req.on('error', err => resolve((err as NodeJS.ErrnoException).code ?? err.message))
    req.end(upload.body)
  })
  return { call, close: () => agent.destroy() }
}

interface InferResponse { outputs: Array<{ contents?: { fp32_contents?: number[] } }> }
type ModelInfer = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (err: { code: number } | null, response?: InferResponse) => void) => void

/** A gRPC client pool: a channel per client, as separate client processes would have (one shared HTTP/2 connection is another test). */
function grpcCaller (target: string, model: string, photos: Buffer[], clients: number) {
  const definition = loadPackageDefinition(loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: true, oneofs: true }))
  const Service = (definition.inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor
  const pool: Client[] = Array.from({ length: clients }, (_, i) => new Service(target, credentials.createInsecure(), { 'grpc.channel_id': i }))
  const infer = (client: number, photo: Buffer): Promise<{ outcome: Outcome, probabilities?: number[] }> => new Promise(resolve => {
    const modelInfer = (pool[client] as unknown as { ModelInfer: ModelInfer }).ModelInfer.bind(pool[client])
    modelInfer({ model_name: model, inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [photo] } }] },
      new Metadata(), { deadline: Date.now() + 30_000 }, (err, response) => {
        if (err !== null) { resolve({ outcome: `gRPC ${err.code}` }); return }
        const probabilities = response?.outputs[0]?.contents?.fp32_contents
        resolve(probabilities !== undefined && probabilities.length > 0 ? { outcome: 'OK', probabilities } : { outcome: 'bad answer' })
      })
  })
  return {
    call: async (client: number, photo: number): Promise<Outcome> => (await infer(client, photos[photo % photos.length])).outcome,
    infer,
    close: () => pool.forEach(c => c.close())
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The markdown report: a row per level and protocol, then gRPC against REST per level, read against the spread. */
function report (points: Point[]): string {
  const rows = ['| clients | protocol | req/s | each repetition | spread | p50 ms | p99 ms | errors | cores: server / clients / others (max) |', '|---|---|---|---|---|---|---|---|---|']
  const compare = ['| clients | gRPC / REST req/s | REST spread | gRPC spread | beyond the noise |', '|---|---|---|---|---|']
  const errorLines: string[] = []
  const retryLines: string[] = []
  const f1 = (x: number) => Number.isFinite(x) ? x.toFixed(1) : 'n/a'
  const f0 = (x: number) => Number.isFinite(x) ? x.toFixed(0) : 'n/a'
  for (const clients of levels) {
    const medians: Partial<Record<Protocol, { rps: number, spread: number }>> = {}
    for (const protocol of ['REST', 'gRPC'] as const) {
      const runs = points.filter(p => p.clients === clients && p.protocol === protocol).sort((a, b) => a.repetition - b.repetition)
      if (runs.length === 0) continue
      const rps = median(runs.map(r => r.rps))
      const spread = runs.length > 1 ? (Math.max(...runs.map(r => r.rps)) - Math.min(...runs.map(r => r.rps))) / rps : NaN
      medians[protocol] = { rps, spread }
      const errors: Record<string, number> = {}
      for (const r of runs) for (const [kind, n] of Object.entries(r.errors)) errors[kind] = (errors[kind] ?? 0) + n
      const errorCount = Object.values(errors).reduce((a, b) => a + b, 0)
      if (errorCount > 0) errorLines.push(`- ${protocol} at ${clients}: ${Object.entries(errors).map(([k, n]) => `${n} ${k}`).join(', ')}`)
      for (const r of runs.filter(r => r.tries > 1)) retryLines.push(`- ${protocol} at ${clients}, repetition ${r.repetition}: ${r.tries} tries, the one kept saw ${r.cores.others.toFixed(2)} cores of other work`)
      const cores = (k: keyof Point['cores']) => median(runs.map(r => r.cores[k])).toFixed(2)
      const others = Math.max(...runs.map(r => r.cores.others)).toFixed(2)
      rows.push(`| ${clients} | ${protocol} | ${f1(rps)} | ${runs.map(r => f1(r.rps)).join(', ')} | ${Number.isFinite(spread) ? `${(spread * 100).toFixed(1)}%` : 'n/a'} | ${f0(median(runs.map(r => r.p50)))} | ${f0(median(runs.map(r => r.p99)))} | ${errorCount} | ${cores('server')} / ${cores('clients')} / ${others} |`)
    }
    const { REST: rest, gRPC: grpc } = medians
    if (rest !== undefined && grpc !== undefined) {
      const ratio = grpc.rps / rest.rps
      const noise = Math.max(rest.spread, grpc.spread)
      const verdict = !Number.isFinite(noise) ? 'n/a (one repetition)' : Math.abs(ratio - 1) > noise ? 'yes' : 'no'
      const pct = (x: number) => Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a'
      compare.push(`| ${clients} | ${ratio.toFixed(3)} | ${pct(rest.spread)} | ${pct(grpc.spread)} | ${verdict} |`)
    }
  }
  return [...rows, '', ...compare, ...(errorLines.length > 0 ? ['', 'Errors:', ...errorLines] : []), ...(retryLines.length > 0 ? ['', `Run again (other work above ${maxOthers} cores):`, ...retryLines] : [])].join('\n')
}

const photos = await benchPhotos(photoSource)
const settings = parseSettings(settingsLine)
const grpcPort = await freePort()
// The server's log goes to stderr, beside the progress lines: stdout is the report.
const server = await startServer({ ...settings, GRPC_PORT: String(grpcPort) }, 300_000, { sources: args.sources, logToStderr: true })
const serverPid = server.child.pid ?? 0
const port = Number(new URL(server.url).port)
try {
  const uploads = photos.map(p => multipartUpload(p.bytes, p.name))
  // One photo both ways: the same model must answer the same, or the comparison is of two different things.
  const restAnswer = await fetch(`${server.url}/predict`, { method: 'POST', body: new Uint8Array(uploads[0].body), headers: { 'content-type': uploads[0].contentType } })
  const rest = await restAnswer.json() as { label: string, probability: number, model: { name: string, version: string }, backend: string }
  if (restAnswer.status !== 200) throw new Error(`POST /predict answered ${restAnswer.status}: ${JSON.stringify(rest)}`)
  const check = grpcCaller(`127.0.0.1:${grpcPort}`, rest.model.name, photos.map(p => p.bytes), 1)
  const grpcAnswer = await check.infer(0, photos[0].bytes)
  check.close()
  const top = Math.max(...(grpcAnswer.probabilities ?? [NaN]))
  if (grpcAnswer.outcome !== 'OK' || !(Math.abs(top - rest.probability) < 1e-6)) throw new Error(`ModelInfer (${grpcAnswer.outcome}, top ${top}) does not answer as POST /predict (${rest.probability}) for ${photos[0].name}`)

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`
  console.error(`bench:grpc: ${rest.model.name} ${rest.model.version} on ${rest.backend} (${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults'}; ${args.sources ? 'server.ts via tsx' : 'dist/server.js'}), ${photos.length} photos from ${photoSource}, ${machine}`)
  console.error(`bench:grpc: levels ${levels.join(', ')}, ${warmup} s warm-up + ${seconds} s per point, ${repeat} repetition(s), protocols alternating (ABBA)`)
  const points: Point[] = []
  for (let repetition = 1; repetition <= repeat; repetition++) {
    for (const clients of levels) {
      const order: Protocol[] = repetition % 2 === 1 ? ['REST', 'gRPC'] : ['gRPC', 'REST']
      for (const protocol of order) {
        let point: Point | undefined
        for (let tries = 1; tries <= 3 && (point === undefined || point.cores.others > maxOthers); tries++) {
          const caller = protocol === 'REST' ? restCaller(port, uploads, clients) : grpcCaller(`127.0.0.1:${grpcPort}`, rest.model.name, photos.map(p => p.bytes), clients)
          const tried = await closedLoop(protocol, clients, repetition, serverPid, caller.call)
          caller.close()
          const errors = Object.values(tried.errors).reduce((a, b) => a + b, 0)
          console.error(`  repetition ${repetition}, ${clients} clients, ${protocol}${tries > 1 ? ` (try ${tries})` : ''}: ${tried.rps.toFixed(1)} req/s, p50 ${tried.p50.toFixed(0)} ms, p99 ${tried.p99.toFixed(0)} ms, ${errors} errors; cores ${tried.cores.server.toFixed(2)} server, ${tried.cores.clients.toFixed(2)} clients, ${tried.cores.others.toFixed(2)} others`)
          if (point === undefined || tried.cores.others < point.cores.others) point = { ...tried, tries }
          else point.tries = tries
        }
        points.push(point!)
      }
    }
  }
  console.log(`gRPC ModelInfer against REST POST /predict: ${rest.model.name} ${rest.model.version} on ${rest.backend}, ${photos.length} photos, ${warmup} s + ${seconds} s per point, ${repeat} repetition(s), ${machine}\n`)
  console.log(report(points))
  if (args.json !== undefined) {
    await writeFile(args.json, JSON.stringify({ date: new Date().toISOString(), machine, model: rest.model, backend: rest.backend, settings, photos: { source: photoSource, count: photos.length }, warmup, seconds, repeat, points }, null, 2) + '\n')
    console.error(`bench:grpc: wrote ${args.json}`)
  }
} finally {
  await server.stop()
}
