/**
 * The service as a real child process (node --import tsx server.ts), for the shutdown and load-balancer tests:
 * start it on a loopback port, wait for readiness, signal it, read its JSON log. Every child is killed when this
 * process exits or is signalled, so a test that fails or times out leaves nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { ConfigSchema } from '../../services/common/config.js'
import { projectRoot } from '../../services/common/project.js'

export type LogLine = Record<string, unknown> & { msg?: string, time?: number }

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Date.now() at exit. */
  at: number
}

const children = new Set<ChildProcess>()

function killChildren (): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

process.once('exit', killChildren)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGALRM'] as const) {
  process.once(signal, () => {
    killChildren()
    process.kill(process.pid, signal)
  })
}

/** Spawns a child that is killed with this process, whatever way it ends. */
export function spawnTracked (command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const child = spawn(command, args, options)
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** A TCP port that was free a moment ago. */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

/** One GET on a fresh connection: status and body, or the network error code. */
export function httpGet (port: number, path: string, timeoutMs = 5000): Promise<{ status?: number, body?: string, error?: string }> {
  return new Promise(resolve => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode, body }))
      res.on('error', err => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
    req.on('error', err => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
    req.end()
  })
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export interface ServiceOptions {
  port: number
  /** Service configuration; PORT, HOST=127.0.0.1, INFERENCE_BACKEND=wasm and LOG_LEVEL=info unless given. */
  env?: Record<string, string>
  /** Also append the raw log here. */
  logFile?: string
  name?: string
}

export class ServiceProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly name: string
  readonly logs: LogLine[] = []
  readonly stderr: string[] = []
  readonly exited: Promise<Exit>
  readonly startedAt = Date.now()
  private readonly logStream?: WriteStream

  constructor (opts: ServiceOptions) {
    this.port = opts.port
    this.name = opts.name ?? `service:${opts.port}`
    // Only the variables given here configure the service, never the ones of the shell that runs the test.
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !(key in ConfigSchema.properties)) env[key] = value
    Object.assign(env, { HOST: '127.0.0.1', INFERENCE_BACKEND: 'wasm', LOG_LEVEL: 'info' }, opts.env, { PORT: String(opts.port) })
    this.logStream = opts.logFile !== undefined ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined
    this.child = spawnTracked(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let pending = ''
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.logStream?.write(chunk)
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (line.trim() === '') continue
        try {
          this.logs.push(JSON.parse(line) as LogLine)
        } catch {
          this.logs.push({ msg: line })
        }
      }
    })
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.logStream?.write(chunk)
      this.stderr.push(chunk)
    })
    this.exited = new Promise(resolve => {
      this.child.once('exit', (code, signal) => {
        this.logStream?.end()
        resolve({ code, signal, at: Date.now() })
      })
    })
  }

  get running (): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Resolves with the boot time in ms once GET /health/ready answers 200; rejects if the process exits first. */
  async waitReady (timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready: ${this.tail()}`)
      const res = await httpGet(this.port, '/health/ready', 2000)
      if (res.status === 200) return Date.now() - this.startedAt
      await sleep(200)
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms: ${this.tail()}`)
  }

  /** Sends a signal; returns when it was sent (Date.now()). */
  signal (signal: NodeJS.Signals): number {
    this.child.kill(signal)
    return Date.now()
  }

  /** Resolves with the exit, or kills the process and rejects after `timeoutMs`. */
  async waitExit (timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL')
        reject(new Error(`${this.name} still running after ${timeoutMs} ms: killed. ${this.tail()}`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Log lines whose message starts with `msg`. */
  logged (msg: string): LogLine[] {
    return this.logs.filter(line => typeof line.msg === 'string' && line.msg.startsWith(msg))
  }

  /** The last log lines and stderr, for error messages. */
  tail (lines = 8): string {
    const log = this.logs.slice(-lines).map(line => JSON.stringify(line)).join('\n')
    return `\n--- ${this.name} log ---\n${log}\n--- stderr ---\n${this.stderr.join('').slice(-2000)}`
  }
}
