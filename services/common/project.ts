import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot (from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`package.json not found above ${from}`)
    dir = parent
  }
  return dir
}

/** The repository root, whether running from sources (tsx) or from dist/. */
export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)))

const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { name: string, version: string, description: string }

export const serviceInfo = { name: pkg.name, version: pkg.version, description: pkg.description }
