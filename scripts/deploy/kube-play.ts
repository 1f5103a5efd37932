/**
 * The Kubernetes Deployment of deploy/k8s run by `podman kube play` (part of npm run test:containers): rendered by
 * scripts/deploy/kustomize.ts, played with the CPU image, then checked as the kubelet and an operator would: ready through
 * the manifest's own startup and readiness probes, POST /predict on the committed photos, uid 1000 on a read-only
 * root with /tmp the only writable path, and `podman kube down` under load with no request failed.
 *
 * What is changed before playing, and why: podman plays each replica as a pod of its own: one here. The pod runs on
 * the host's network on a free loopback port (PORT, HOST; the container's `ports` dropped, as podman turns them into
 * host port mappings, which host networking refuses): in slirp4netns or podman's bridge the pod's network belongs to
 * its infra container, which `podman kube down` stops at the same time as the service, cutting the requests the
 * service is still draining, and the bridge would have the test send to a private address. podman ignores
 * terminationGracePeriodSeconds (its stop timeout stays 10 s): the run's containers.conf sets the stop timeout to it.
 * podman 4.3's `kube down` removes the pod without SIGTERM (a SIGTERM handler in the container never runs), so the
 * drain is what the kubelet does at a pod's deletion, `podman pod stop` (SIGTERM, then SIGKILL after the grace
 * period), and `podman kube down` removes what is left.
 * Everything else is played as written; what podman made of each field is reported.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../services/common/project.js'
import { podman, predictPhotos, type ContainerReport } from './containers.js'
import { renderKustomization, toYaml } from './kustomize.js'
import { LoadGenerator, summarize } from '../bench/load-generator.js'
import { freePort, httpGet } from './service-process.js'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export interface KubePlayReport {
  problems: string[]
  readyMs: number
  probes: string
  predictions: ContainerReport['predictions']
  user: string
  writable: Record<string, boolean>
  /** What podman made of the manifest's fields (from podman inspect). */
  applied: Record<string, unknown>
  drain: { sent: number, answered200: number, refusedAfterClose: number, otherFailures: Record<string, number>, downMs: number, servedDuringDelay: number, exitCode: number }
}

type Probe = { httpGet: { path: string }, periodSeconds?: number, failureThreshold?: number }

/** Polls a probe of the manifest as the kubelet does: every periodSeconds, failing after failureThreshold misses. */
async function probeUntilSuccess (port: number, probe: Probe): Promise<number> {
  const started = Date.now()
  const period = (probe.periodSeconds ?? 10) * 1000
  const threshold = probe.failureThreshold ?? 3
  for (let failures = 0; failures < threshold; failures++) {
    if ((await httpGet(port, probe.httpGet.path, 1000)).status === 200) return Date.now() - started
    await sleep(period)
  }
  throw new Error(`${probe.httpGet.path} failed ${threshold} times, ${period} ms apart`)
}

export async function runKubePlayTest (opts: { image: string, log: (line: string) => void }): Promise<KubePlayReport> {
  const { log } = opts
  const problems: string[] = []
  const dir = await mkdtemp(join(tmpdir(), 'kube-play-'))
  const manifests = await renderKustomization(join(projectRoot, 'deploy/k8s'))
  const deployment = structuredClone(manifests.find(m => m.kind === 'Deployment')!)
  const pod = deployment.spec.template.spec
  const container = pod.containers[0]
  const port = await freePort()
  container.image = opts.image
  deployment.spec.replicas = 1
  delete container.ports
  for (const e of container.env as Array<{ name: string, value: string }>) {
    if (e.name === 'PORT') e.value = String(port)
    if (e.name === 'HOST') e.value = '127.0.0.1'
  }
  // The service, the HPA and the PDB have no meaning to podman: only the Deployment is played.
  const file = join(dir, 'food-classifier.yaml')
  await writeFile(file, toYaml([deployment]))
  // runc cannot apply podman's default rlimits on these machines unless given explicitly (scripts/deploy/containers.ts);
  // kube play has no --ulimit, so they are podman's defaults for this run.
  const conf = join(dir, 'containers.conf')
  await writeFile(conf, `[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n[engine]\nstop_timeout = ${pod.terminationGracePeriodSeconds}\n`)
  process.env.CONTAINERS_CONF = conf
  let played = false
  try {
    log(`podman kube play --network host ${file} (deploy/k8s's Deployment, port ${port}, image ${opts.image})`)
    const playStarted = Date.now()
    played = true
    const out = await podman(['kube', 'play', '--network', 'host', file])
    const warnings = out.split('\n').filter(l => /replica|not supported|ignor/i.test(l))
    const lines = out.split('\n').map(l => l.trim())
    const containerId = lines.filter(l => /^[0-9a-f]{64}$/.test(l)).at(-1)
    const podId = lines[lines.indexOf('Pod:') + 1]
    if (containerId === undefined || !/^[0-9a-f]{64}$/.test(podId ?? '')) throw new Error(`podman kube play printed no pod and container id: ${out}`)

    const startupMs = await probeUntilSuccess(port, container.startupProbe)
    await probeUntilSuccess(port, container.readinessProbe)
    const readyMs = Date.now() - playStarted
    log(`ready ${readyMs} ms after podman kube play (startupProbe ${container.startupProbe.httpGet.path} passed after ${startupMs} ms, then readinessProbe ${container.readinessProbe.httpGet.path})`)
    const live = await httpGet(port, container.livenessProbe.httpGet.path, 2000)
    if (live.status !== 200) problems.push(`livenessProbe ${container.livenessProbe.httpGet.path}: ${live.status ?? live.error}`)

    const predictions = await predictPhotos(port)
    for (const p of predictions) if (p.status !== 200 || p.label !== p.expected) problems.push(`POST /predict ${p.photo}: ${p.status} ${p.label}, expected 200 ${p.expected}`)
    log(`POST /predict: ${predictions.filter(p => p.status === 200 && p.label === p.expected).length} of ${predictions.length} photos answered the expected label`)

    const user = (await podman(['exec', containerId, 'sh', '-c', 'id -u; grep ^Uid: /proc/1/status'])).trim().replace(/\s+/g, ' ')
    if (!/^1000 Uid:\s*1000\b/.test(user)) problems.push(`not uid 1000: ${user}`)
    const writable: Record<string, boolean> = {}
    for (const path of ['/', '/app', '/app/model', '/home/node', '/etc', '/tmp']) {
      writable[path] = await podman(['exec', containerId, 'node', '-e', `require('fs').writeFileSync(require('path').join(${JSON.stringify(path)}, '.write-probe'), 'x')`]).then(() => true, () => false)
    }
    for (const [path, ok] of Object.entries(writable)) if (ok !== (path === '/tmp')) problems.push(`${path} is ${ok ? '' : 'not '}writable`)

    const inspect = (JSON.parse(await podman(['inspect', containerId])) as Array<Record<string, any>>)[0]
    const host = inspect.HostConfig ?? {}
    const applied = {
      podmanSaid: warnings.join(' ') || undefined,
      user: inspect.Config?.User,
      readOnlyRootfs: host.ReadonlyRootfs,
      capDrop: host.CapDrop,
      noNewPrivileges: (host.SecurityOpt ?? []).some((o: string) => o.includes('no-new-privileges')) || inspect.Config?.NoNewPrivileges,
      seccomp: (host.SecurityOpt ?? []).filter((o: string) => o.startsWith('seccomp')),
      stopTimeout: inspect.Config?.StopTimeout,
      memoryLimit: host.Memory,
      cpuQuota: host.CpuQuota,
      cpuPeriod: host.CpuPeriod,
      cpuShares: host.CpuShares,
      memoryReservation: host.MemoryReservation,
      tmp: (inspect.Mounts ?? []).filter((m: { Destination: string }) => m.Destination === '/tmp').map((m: { Type: string, Name?: string }) => `${m.Type}${m.Name !== undefined ? ` ${m.Name}` : ''}`),
      healthcheck: inspect.Config?.Healthcheck?.Test?.join(' '),
      healthcheckStartPeriod: inspect.Config?.Healthcheck?.StartPeriod
    }
    if (applied.readOnlyRootfs !== true) problems.push('the root filesystem is not read-only')
    log(`runs as ${user}; writable: ${Object.entries(writable).filter(([, ok]) => ok).map(([p]) => p).join(', ') || 'nothing'}; podman applied ${JSON.stringify(applied)}`)

    // podman kube down under load: SIGTERM, then the service keeps serving SHUTDOWN_DELAY_MS while readiness fails,
    // then closes its listener and finishes what it accepted.
    const photo = await readFile(join(projectRoot, 'test/fixtures/images/flower.jpg'))
    const load = new LoadGenerator({ port, uploads: [{ body: photo, contentType: 'image/jpeg' }], concurrency: 8, idPrefix: 'kube-down-', errorPauseMs: 20 })
    load.start()
    await sleep(3000)
    const downStarted = Date.now()
    log(`podman pod stop -t ${pod.terminationGracePeriodSeconds} (SIGTERM, as the kubelet deletes a pod) with ${load.inFlightIds().length} requests in flight, then podman kube down`)
    await podman(['pod', 'stop', '-t', String(pod.terminationGracePeriodSeconds), podId], { timeoutMs: (pod.terminationGracePeriodSeconds + 30) * 1000 })
    const downMs = Date.now() - downStarted
    const exitCode = Number((await podman(['inspect', '--format', '{{.State.ExitCode}}', containerId])).trim())
    await podman(['kube', 'down', file], { timeoutMs: 120_000 })
    played = false
    const records = await load.stop()
    const refusedAt = Math.min(...records.filter(r => r.error === 'ECONNREFUSED').map(r => r.sentAt))
    const before = records.filter(r => r.sentAt < refusedAt)
    const after = records.filter(r => r.sentAt >= refusedAt)
    const drain = {
      sent: before.length,
      answered200: before.filter(r => r.status === 200).length,
      refusedAfterClose: after.filter(r => r.error === 'ECONNREFUSED').length,
      otherFailures: summarize(after.filter(r => r.error !== 'ECONNREFUSED')).failures,
      downMs,
      servedDuringDelay: before.filter(r => r.sentAt >= downStarted && r.status === 200).length,
      exitCode
    }
    if (exitCode !== 0) problems.push(`pod stop: exit code ${exitCode}`)
    if (drain.answered200 !== drain.sent) problems.push(`pod stop: ${drain.sent - drain.answered200} of ${drain.sent} requests sent before the listener closed were not answered 200: ${JSON.stringify(summarize(before.filter(r => r.status !== 200)).failures)}`)
    if (Object.keys(drain.otherFailures).length > 0) problems.push(`pod stop: unexpected failures ${JSON.stringify(drain.otherFailures)}`)
    if (drain.servedDuringDelay === 0) problems.push('pod stop: nothing was served after SIGTERM, the drain proves nothing')
    if (downMs >= pod.terminationGracePeriodSeconds * 1000) problems.push(`pod stop took ${downMs} ms, the grace period is ${pod.terminationGracePeriodSeconds} s`)
    log(`drain: ${drain.answered200} of ${drain.sent} requests sent before the listener closed answered 200 (${drain.servedDuringDelay} of them sent after SIGTERM); ${drain.refusedAfterClose} refused after; pod stop took ${downMs} ms, exit ${exitCode}`)
    const probes = `startupProbe ${startupMs} ms, readinessProbe and livenessProbe 200`
    return { problems, readyMs, probes, predictions, user, writable, applied, drain }
  } finally {
    if (played) await podman(['kube', 'down', file]).catch(() => {})
    delete process.env.CONTAINERS_CONF
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await runKubePlayTest({ image: process.env.IMAGE ?? 'food-classifier:cpu', log: line => console.log(`[kube play] ${line}`) })
  console.log(JSON.stringify({ ...report, predictions: undefined }, null, 2))
  process.exit(report.problems.length === 0 ? 0 : 1)
}
