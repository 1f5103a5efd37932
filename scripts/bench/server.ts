import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { projectRoot } from '../../services/common/project.js'
import { freePort } from '../deploy/service-process.js'

export interface RunningServer { url: string, child: ChildProcess, stop: () => Promise<number | null> }

/**
 * Starts the built service (dist/server.js) as a real process and waits until it answers. `sources`: server.ts
 * through tsx instead, no build needed (smoke runs; the engine code is the same, loaded through a transpiler).
 * `logToStderr`: the service's log (stdout) to this process's stderr, leaving its stdout to a report.
 */
export async function startServer (env: Record<string, string>, timeoutMs = 60_000, options: { sources?: boolean, logToStderr?: boolean } = {}): Promise<RunningServer> {
  const port = await freePort()
  const entry = options.sources === true ? ['--import', 'tsx', join(projectRoot, 'server.ts')] : [join(projectRoot, 'dist/server.js')]
  const child = spawn(process.execPath, entry, {
    // --import tsx is resolved from the working directory.
    ...(options.sources === true ? { cwd: projectRoot } : {}),
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', MALLOC_ARENA_MAX: '2', ...env },
    stdio: ['ignore', options.logToStderr === true ? process.stderr : 'inherit', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  while (true) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} while starting`)
    try {
      if ((await fetch(url)).ok) break
    } catch {}
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('server did not start in time') }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  const stop = () => new Promise<number | null>(resolve => {
    if (child.exitCode !== null) { resolve(child.exitCode); return }
    child.once('exit', code => resolve(code))
    child.kill('SIGTERM')
  })
  return { url, child, stop }
}
