import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { readManifest } from './manifest.js'

/**
 * A model repository as Triton and TF Serving lay it out: `<root>/<name>/<version>/` with a positive integer
 * version, each version a model directory (manifest.json, model.json, weights). A model directory directly under
 * the root (`<root>/<name>/manifest.json`) is that model's version 1, so a folder of plain model directories serves as is.
 */

export interface ModelVersionDirectory {
  version: number
  directory: string
}

export interface RepositoryModel {
  name: string
  /** Ascending by version. */
  versions: ModelVersionDirectory[]
}

export const MODEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$'
const modelName = new RegExp(MODEL_NAME_PATTERN)

const isDirectory = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isDirectory() ?? false
const hasManifest = async (path: string): Promise<boolean> => (await stat(join(path, 'manifest.json')).catch(() => undefined))?.isFile() ?? false

/** Where models come from: a repository directory, or one model directory (MODEL_DIR) served as version 1. */
export interface ModelSource {
  /** Every model there, with the versions on disk. */
  scan: () => Promise<RepositoryModel[]>
  /** One model's versions on disk; undefined when there is no such model. */
  find: (name: string) => Promise<RepositoryModel | undefined>
  /** Where it is, for messages. */
  readonly location: string
}

export class ModelRepository implements ModelSource {
  constructor (readonly root: string) {}

  get location (): string { return this.root }

  async scan (): Promise<RepositoryModel[]> {
    const entries = await readdir(this.root).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`Cannot read the model repository ${this.root}: ${err.code ?? err.message}`)
    })
    const models = await Promise.all(entries.sort().map(name => this.find(name)))
    return models.filter((m): m is RepositoryModel => m !== undefined && m.versions.length > 0)
  }

  async find (name: string): Promise<RepositoryModel | undefined> {
    if (!modelName.test(name)) return undefined
    const directory = join(this.root, name)
    if (!await isDirectory(directory)) return undefined
    if (await hasManifest(directory)) return { name, versions: [{ version: 1, directory }] }
    const versions: ModelVersionDirectory[] = []
    for (const entry of await readdir(directory)) {
      if (!/^[1-9][0-9]{0,15}$/.test(entry)) continue
      const path = join(directory, entry)
      if (await isDirectory(path) && await hasManifest(path)) versions.push({ version: Number(entry), directory: path })
    }
    return { name, versions: versions.sort((a, b) => a.version - b.version) }
  }
}

/** One model directory, named by its manifest, as version 1: what MODEL_DIR serves. */
export class SingleModelSource implements ModelSource {
  constructor (readonly directory: string) {}

  get location (): string { return this.directory }

  async scan (): Promise<RepositoryModel[]> {
    const manifest = await readManifest(this.directory)
    return [{ name: manifest.name, versions: [{ version: 1, directory: this.directory }] }]
  }

  async find (name: string): Promise<RepositoryModel | undefined> {
    return (await this.scan()).find(m => m.name === name)
  }
}

export type VersionPolicy =
  | { kind: 'latest', count: number }
  | { kind: 'all' }
  | { kind: 'specific', versions: number[] }

export interface VersionPolicies {
  fallback: VersionPolicy
  byModel: Map<string, VersionPolicy>
}

const POLICY = '(latest(:[1-9][0-9]*)?|all|specific:[1-9][0-9]*(,[1-9][0-9]*)*)'
/** `latest`, `latest:2`, `all` or `specific:1,3`, optionally per model (`food=latest:2`), separated by spaces. */
export const VERSION_POLICY_PATTERN = `^\\s*((${MODEL_NAME_PATTERN.slice(1, -1)}=)?${POLICY}(\\s+|$))+$`

function parsePolicy (text: string): VersionPolicy {
  if (text === 'all') return { kind: 'all' }
  if (text.startsWith('latest')) return { kind: 'latest', count: text.includes(':') ? Number(text.split(':')[1]) : 1 }
  if (text.startsWith('specific:')) return { kind: 'specific', versions: text.slice('specific:'.length).split(',').map(Number) }
  throw new Error(`Unknown version policy '${text}' (latest, latest:N, all, specific:V,V...)`)
}

export function parseVersionPolicies (text: string): VersionPolicies {
  const policies: VersionPolicies = { fallback: { kind: 'latest', count: 1 }, byModel: new Map() }
  for (const word of text.trim().split(/\s+/).filter(w => w !== '')) {
    const at = word.indexOf('=')
    if (at === -1) policies.fallback = parsePolicy(word)
    else policies.byModel.set(word.slice(0, at), parsePolicy(word.slice(at + 1)))
  }
  return policies
}

export const policyFor = (policies: VersionPolicies, name: string): VersionPolicy => policies.byModel.get(name) ?? policies.fallback

/** The versions a policy serves out of those on disk, ascending. */
export function selectVersions (available: number[], policy: VersionPolicy): number[] {
  const sorted = [...available].sort((a, b) => a - b)
  switch (policy.kind) {
    case 'all': return sorted
    case 'latest': return sorted.slice(-policy.count)
    case 'specific': return sorted.filter(v => policy.versions.includes(v))
  }
}

export function describePolicy (policy: VersionPolicy): string {
  switch (policy.kind) {
    case 'all': return 'all'
    case 'latest': return policy.count === 1 ? 'latest' : `latest:${policy.count}`
    case 'specific': return `specific:${policy.versions.join(',')}`
  }
}
