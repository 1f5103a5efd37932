/**
 * The programs the container test needs, installed with apt-get when this runs as root on Debian (as .ci/run installs
 * Chromium), or named with the command that installs them: a missing one stops the test with one line, never with
 * Node's `spawn ... ENOENT`.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'

export interface Tool {
  /** The program looked for on PATH (or the file, for one that is not a command). */
  program: string
  /** The Debian package that ships it. */
  pkg: string
  why: string
}

/**
 * podman runs the images as root with runc; mmdebstrap makes the Debian base image; catatonit is the pause process of
 * the pods that `podman kube play` makes; nginx balances the rolling-restart check; uidmap and slirp4netns are what podman needs to run rootless, for whoever
 * runs the images by hand as another user.
 */
export function containerTools (runtime: string): Tool[] {
  return [
    { program: 'podman', pkg: 'podman', why: 'builds and runs the images' },
    { program: runtime, pkg: runtime, why: 'the OCI runtime podman is told to use (CONTAINERS_RUNTIME)' },
    { program: 'mmdebstrap', pkg: 'mmdebstrap', why: 'makes the Debian base image from Debian\'s mirror' },
    { program: '/usr/libexec/podman/catatonit', pkg: 'catatonit', why: 'the pause process of podman kube play\'s pods' },
    { program: 'nginx', pkg: 'nginx-light', why: 'the load balancer of the rolling-restart check' },
    { program: 'newuidmap', pkg: 'uidmap', why: 'rootless podman' },
    { program: 'slirp4netns', pkg: 'slirp4netns', why: 'rootless podman\'s network' }
  ]
}

async function found (program: string): Promise<boolean> {
  if (program.startsWith('/')) return existsSync(program)
  return promisify(execFile)('sh', ['-c', `command -v "$1" || test -x "/usr/sbin/$1" || test -x "/sbin/$1"`, 'sh', program]).then(() => true, () => false)
}

export async function missingTools (tools: Tool[]): Promise<Tool[]> {
  const missing: Tool[] = []
  for (const tool of tools) if (!await found(tool.program)) missing.push(tool)
  return missing
}

export function installCommand (tools: Tool[]): string {
  return `apt-get install -y --no-install-recommends ${[...new Set(tools.map(t => t.pkg))].join(' ')}`
}

/**
 * Installs what is missing when root with apt-get; otherwise, or when that fails, resolves to the one line that says
 * what is missing and how to install it. `installed` lists what apt-get installed.
 */
export async function ensureContainerTools (runtime: string, log: (line: string) => void): Promise<{ installed: string[], ms: number, problem?: string }> {
  const started = Date.now()
  const missing = await missingTools(containerTools(runtime))
  if (missing.length === 0) return { installed: [], ms: 0 }
  const names = missing.map(t => t.program.split('/').at(-1)).join(', ')
  const command = installCommand(missing)
  const root = process.getuid?.() === 0
  if (!root || !await found('apt-get')) {
    return { installed: [], ms: Date.now() - started, problem: `missing: ${names}; install with: ${root ? '' : 'sudo '}${command}` }
  }
  log(`${names} missing: apt-get update && ${command}`)
  try {
    // Another apt-get (a colleague's, unattended-upgrades) may hold the lock: wait for it rather than fail.
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    await promisify(execFile)('apt-get', ['update', '-qq'], { env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 })
    await promisify(execFile)('apt-get', ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=600', '--no-install-recommends', ...new Set(missing.map(t => t.pkg))], { env, maxBuffer: 64 * 1024 * 1024, timeout: 1_200_000 })
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    const reason = (e.stderr ?? e.message).trim().split('\n').filter(Boolean).at(-1) ?? e.message
    return { installed: [], ms: Date.now() - started, problem: `missing: ${names}; ${command} failed: ${reason}` }
  }
  const still = await missingTools(missing)
  if (still.length > 0) return { installed: [], ms: Date.now() - started, problem: `still missing after apt-get: ${still.map(t => t.program).join(', ')}; install with: ${installCommand(still)}` }
  return { installed: missing.map(t => t.pkg), ms: Date.now() - started }
}
