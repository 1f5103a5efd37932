/**
 * The load-balancer test: nginx (the deployment's configuration) on loopback in front of two instances of the
 * service, under steady load; one instance is sent SIGTERM and started again, then the other. Passes only when
 * every request sent was answered.
 *
 *   npm run test:lb                      (prints the figures; exit 1 on any failure)
 *   npm run test:lb -- --json            (the report as JSON)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { projectRoot } from '../../services/common/project.js'
import { LoadGenerator, summarize, type LoadSummary } from '../bench/load-generator.js'
import { findNginx, readAccessLog, startNginx, testNginxConfig, writeNginxConfig } from './nginx.js'
import { ServiceProcess, freePort, httpGet, type Exit } from './service-process.js'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export interface Restart {
  instance: string
  /** SIGTERM to exit. */
  drainMs: number
  exitCode: number | null
  /** Start of the new process to its readiness. */
  bootMs: number
  /** Readiness to the first request nginx sent it. */
  backInRotationMs: number
}

export interface LoadBalancerReport extends LoadSummary {
  passed: boolean
  problems: string[]
  durationMs: number
  concurrency: number
  restarts: Restart[]
  /** Requests nginx sent to more than one instance before one answered. */
  retriedByNginx: number
  /** Answers per instance, from nginx's access log. */
  answeredBy: Record<string, number>
  /** The shutdown settings of the instances, from deploy/compose.yaml. */
  shutdownEnv: Record<string, string>
  logDir: string
}

/** One instance of the service behind nginx: a process here (ServiceProcess), or a container (scripts/deploy/containers.ts). */
export interface Instance {
  readonly name: string
  readonly running: boolean
  /** Resolves with the boot time in ms once GET /health/ready answers 200. */
  waitReady: () => Promise<number>
  /** SIGTERM starts the drain (for a container: podman stop); returns when it was sent (Date.now()). */
  signal: (signal: NodeJS.Signals) => number
  waitExit: (timeoutMs: number) => Promise<Exit>
}

export interface InstanceOptions {
  name: string
  port: number
  /** The shutdown settings of deploy/compose.yaml. */
  env: Record<string, string>
  logFile: string
}

export interface LoadBalancerOptions {
  /** How an instance is started; by default a process of the service from the sources. */
  startInstance?: (opts: InstanceOptions) => Instance
  concurrency?: number
  /** Load before, between and after the restarts. */
  settleMs?: number
  /** Keep the logs (nginx and instances) instead of deleting them. */
  keepLogs?: boolean
  log?: (line: string) => void
}

/** The settings the compose file gives the service behind nginx (shutdown, refusals not held), so the test runs the instances as deployed. */
export async function composeShutdownEnv (): Promise<Record<string, string>> {
  const compose = parse(await readFile(join(projectRoot, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as { services: { app: { environment: Record<string, string> } } }
  const env = compose.services.app.environment
  return { SHUTDOWN_DELAY_MS: String(env.SHUTDOWN_DELAY_MS), SHUTDOWN_TIMEOUT_MS: String(env.SHUTDOWN_TIMEOUT_MS), ADMISSION_HOLD_MS: String(env.ADMISSION_HOLD_MS) }
}

export async function runLoadBalancerTest (opts: LoadBalancerOptions = {}): Promise<LoadBalancerReport> {
  const log = opts.log ?? (() => {})
  const concurrency = opts.concurrency ?? 4
  const settleMs = opts.settleMs ?? 3000
  const nginx = findNginx()
  if (nginx === undefined) throw new Error('nginx is not installed (Debian: apt-get install nginx-light)')

  const dir = await mkdtemp(join(tmpdir(), 'lb-test-'))
  const shutdownEnv = await composeShutdownEnv()
  const startInstance = opts.startInstance ?? (({ name, port, env, logFile }: InstanceOptions) => new ServiceProcess({ port, env, logFile, name: `instance ${name}` }))
  const instances: Record<string, Instance> = {}
  const ports: Record<string, number> = { a: await freePort(), b: await freePort() }
  const lbPort = await freePort()
  const start = (name: string) => {
    instances[name] = startInstance({ name, port: ports[name], env: shutdownEnv, logFile: join(dir, `instance-${name}.log`) })
    return instances[name]
  }
  let nginxProcess: ReturnType<typeof startNginx> | undefined
  let load: LoadGenerator | undefined
  const started = Date.now()

  try {
    log(`instances a (127.0.0.1:${ports.a}) and b (127.0.0.1:${ports.b}), ${JSON.stringify(shutdownEnv)}; nginx on 127.0.0.1:${lbPort}; logs in ${dir}`)
    await Promise.all([start('a').waitReady(), start('b').waitReady()])

    const config = await writeNginxConfig({ dir, port: lbPort, upstreams: [{ host: '127.0.0.1', port: ports.a }, { host: '127.0.0.1', port: ports.b }] })
    const check = await testNginxConfig(nginx, config, dir)
    if (!check.ok) throw new Error(`nginx -t failed:\n${check.output}`)
    nginxProcess = startNginx(nginx, config, dir)
    const nginxExited = new Promise(resolve => nginxProcess!.once('exit', resolve))
    for (let i = 0; (await httpGet(lbPort, '/health/ready')).status !== 200; i++) {
      if (i > 50) throw new Error(`nginx does not answer: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`)
      await sleep(100)
    }
    log('nginx up, both instances ready: starting the load')

    load = new LoadGenerator({ port: lbPort, uploads: [{ body: await readFile(join(projectRoot, 'test/fixtures/images/flower.jpg')), contentType: 'image/jpeg' }], concurrency, idPrefix: 'lb-', maxRequests: 20_000 })
    load.start()
    await sleep(settleMs)

    const restarts: Restart[] = []
    for (const name of ['a', 'b']) {
      const old = instances[name]
      const signalledAt = old.signal('SIGTERM')
      log(`SIGTERM to instance ${name}`)
      const exit = await old.waitExit(Number(shutdownEnv.SHUTDOWN_TIMEOUT_MS) + 10_000)
      log(`instance ${name} exited with ${exit.code} after ${exit.at - signalledAt} ms; starting it again`)
      const fresh = start(name)
      const bootMs = await fresh.waitReady()
      const readyAt = Date.now()
      // nginx skips an instance for fail_timeout after it refused a connection: wait until it is sent traffic
      // again before stopping the other one, as a rolling restart waits for each replica.
      let backAt: number | undefined
      while (backAt === undefined) {
        if (Date.now() - readyAt > 60_000) throw new Error(`nginx sent nothing to the restarted instance ${name} within 60 s`)
        await sleep(250)
        backAt = (await readAccessLog(dir)).find(line => line.time >= readyAt && line.upstreams.at(-1) === `127.0.0.1:${ports[name]}` && line.status === 200)?.time
      }
      restarts.push({ instance: name, drainMs: exit.at - signalledAt, exitCode: exit.code, bootMs, backInRotationMs: Math.max(0, Math.round(backAt - readyAt)) })
      log(`instance ${name} ready after ${bootMs} ms, back in rotation ${Math.round(backAt - readyAt)} ms later`)
      await sleep(settleMs)
    }

    const records = await load.stop()
    load = undefined
    const summary = summarize(records)
    // nginx writes a request's access-log line when it finalises the request, which can come just after the client
    // has read the response: give the last lines a moment before comparing counts.
    let access = (await readAccessLog(dir)).filter(line => line.requestId.startsWith('lb-'))
    for (let waited = 0; access.length < summary.sent && waited < 3000; waited += 100) {
      await sleep(100)
      access = (await readAccessLog(dir)).filter(line => line.requestId.startsWith('lb-'))
    }
    const answeredBy: Record<string, number> = {}
    for (const line of access) {
      const instance = Object.keys(ports).find(name => line.upstreams.at(-1) === `127.0.0.1:${ports[name]}`) ?? 'none'
      if (line.status === 200) answeredBy[instance] = (answeredBy[instance] ?? 0) + 1
    }

    const problems: string[] = []
    if (summary.failed > 0) problems.push(`${summary.failed} requests failed: ${JSON.stringify(summary.failures)}`)
    if (summary.sent < 50) problems.push(`only ${summary.sent} requests were sent`)
    for (const r of restarts) if (r.exitCode !== 0) problems.push(`instance ${r.instance} exited with ${r.exitCode}`)
    for (const name of Object.keys(ports)) if ((answeredBy[name] ?? 0) === 0) problems.push(`instance ${name} answered nothing`)
    if (access.length !== summary.sent) problems.push(`nginx logged ${access.length} requests, the client sent ${summary.sent}`)

    nginxProcess.kill('SIGQUIT')
    await Promise.race([nginxExited, sleep(5000)])
    await Promise.all(Object.values(instances).map(async instance => {
      instance.signal('SIGTERM')
      const exit = await instance.waitExit(Number(shutdownEnv.SHUTDOWN_TIMEOUT_MS) + 10_000)
      if (exit.code !== 0) problems.push(`${instance.name} exited with ${exit.code} at the end`)
    }))

    return {
      passed: problems.length === 0,
      problems,
      ...summary,
      durationMs: Date.now() - started,
      concurrency,
      restarts,
      retriedByNginx: access.filter(line => line.upstreams.length > 1).length,
      answeredBy,
      shutdownEnv,
      logDir: dir
    }
  } finally {
    await load?.stop()
    for (const instance of Object.values(instances)) if (instance.running) instance.signal('SIGKILL')
    if (nginxProcess !== undefined && nginxProcess.exitCode === null && nginxProcess.signalCode === null) nginxProcess.kill('SIGKILL')
    if (opts.keepLogs !== true) await rm(dir, { recursive: true, force: true })
  }
}

export function formatReport (report: LoadBalancerReport): string {
  const lines = [
    `load-balancer test: ${report.passed ? 'PASSED' : 'FAILED'} in ${(report.durationMs / 1000).toFixed(1)} s`,
    `  requests sent ${report.sent}, answered ${report.answered}, failed ${report.failed}${report.failed > 0 ? ` ${JSON.stringify(report.failures)}` : ''}`,
    `  concurrency ${report.concurrency}; answered by instance: ${JSON.stringify(report.answeredBy)}; sent again to the other instance by nginx: ${report.retriedByNginx}`,
    ...report.restarts.map(r => `  instance ${r.instance}: SIGTERM -> exit ${r.exitCode} in ${r.drainMs} ms; restarted, ready in ${r.bootMs} ms, back in rotation ${r.backInRotationMs} ms later`),
    `  instance settings: ${JSON.stringify(report.shutdownEnv)}`,
    ...report.problems.map(p => `  problem: ${p}`)
  ]
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes('--json')
  const report = await runLoadBalancerTest({ keepLogs: process.argv.includes('--keep-logs'), log: json ? undefined : line => console.log(`[lb-test] ${line}`) })
  console.log(json ? JSON.stringify(report, null, 2) : formatReport(report))
  process.exit(report.passed ? 0 : 1)
}
