/**
 * deploy/k8s and its overlays rendered as `kubectl kustomize DIR` renders them, for what these kustomizations use
 * (resources: files and directories; patches: strategic-merge patch files), so that the schema test and
 * `podman kube play` need no kubectl; test/deploy/schemas.test.ts checks the output against kubectl's where it is
 * installed (Debian 12 ships kubectl 1.20, whose kustomize predates `patches`).
 *   npx tsx scripts/deploy/kustomize.ts deploy/k8s > food-classifier.yaml
 */
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parse, parseAllDocuments, stringify } from 'yaml'

type Manifest = Record<string, any>

interface Kustomization {
  resources?: string[]
  patches?: Array<{ path: string }>
}

/** Lists of objects that Kubernetes' strategic merge merges by name (containers, env, ports, volumes, mounts). */
function mergeByName (base: unknown[], patch: unknown[]): unknown[] {
  const named = (x: unknown): x is { name: string } => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string'
  if (!patch.every(named) || !base.every(named)) return patch
  // In kustomize's order: the patch's items first (merged into the base's of the same name), then the base's others.
  const patched = patch.map(over => {
    const item = base.find(b => b.name === over.name)
    return item === undefined ? over : strategicMerge(item, over)
  })
  return [...patched, ...base.filter(b => !patch.some(p => p.name === b.name))]
}

export function strategicMerge (base: any, patch: any): any {
  if (Array.isArray(base) && Array.isArray(patch)) return mergeByName(base, patch)
  if (typeof base !== 'object' || base === null || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch
  const out: Manifest = { ...base }
  for (const [key, value] of Object.entries(patch)) out[key] = key in base ? strategicMerge(base[key], value) : value
  return out
}

const identity = (m: Manifest) => `${m.apiVersion}/${m.kind}/${m.metadata?.name}`

export async function renderKustomization (dir: string): Promise<Manifest[]> {
  const kustomization = parse(await readFile(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization
  const resources: Manifest[] = []
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry)
    if ((await stat(path)).isDirectory()) resources.push(...await renderKustomization(path))
    else resources.push(...parseAllDocuments(await readFile(path, 'utf8')).map(d => d.toJS() as Manifest).filter(Boolean))
  }
  for (const { path } of kustomization.patches ?? []) {
    const patch = parse(await readFile(resolve(dir, path), 'utf8')) as Manifest
    const index = resources.findIndex(r => identity(r) === identity(patch))
    if (index < 0) throw new Error(`${join(dir, path)}: no resource ${identity(patch)} to patch`)
    resources[index] = strategicMerge(resources[index], patch)
  }
  return resources
}

export function toYaml (manifests: Manifest[]): string {
  return manifests.map(m => stringify(m)).join('---\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(toYaml(await renderKustomization(resolve(process.argv[2] ?? 'deploy/k8s'))))
}
