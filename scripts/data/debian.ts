import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Downloads a Debian package (once: the .deb is kept in WORK/deb, the data step's download cache) with apt-get and
 * unpacks it into WORK/x/<package> with dpkg-deb; returns that root and the package's version.
 */
export function fetchDeb (work: string, pkg: string): { root: string, version: string } {
  const debDir = join(work, 'deb')
  mkdirSync(debDir, { recursive: true })
  const cached = (): string | undefined => readdirSync(debDir).find(f => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))
  if (cached() === undefined) execFileSync('apt-get', ['download', '-q', pkg], { cwd: debDir, stdio: ['ignore', 'ignore', 'inherit'] })
  const deb = cached()
  if (deb === undefined) throw new Error(`apt-get download ${pkg} left no .deb in ${debDir}`)
  const root = join(work, 'x', pkg)
  mkdirSync(root, { recursive: true })
  execFileSync('dpkg-deb', ['-x', join(debDir, deb), root])
  const version = execFileSync('dpkg-deb', ['-f', join(debDir, deb), 'Version'], { encoding: 'utf8' }).trim()
  return { root, version }
}
