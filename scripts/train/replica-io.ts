/**
 * The files behind the numpy replica of the grouped protocol (scripts/train/replica.py), shared by the scripts that
 * feed it (export-features.ts, inception-features.ts, export-detector-features.ts) and the feature cache (features.ts):
 * one float32 row per photo cached on disk, the photo order of an existing replica dir, and replica dirs
 * (data/cache/replica/<name>/: train-v0.f32, external-v0.f32, ... [n, dim] row-major, and meta.json).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CACHE_DIR, DATA_DIR } from './common.js'
import { loadItems, type Item } from './dataset.js'

export const REPLICA_DIR = join(CACHE_DIR, 'replica')

export interface ReplicaEntry { file: string, y: number, source: string, group: string }
export interface ReplicaMeta { train: ReplicaEntry[], external: ReplicaEntry[], dim: number, [k: string]: unknown }
export type ReplicaSet = 'train' | 'external'

/** A cached row: undefined when the file is missing or (with dim) does not hold dim floats. */
export async function readRow (path: string, dim?: number): Promise<Float32Array | undefined> {
  const buf = await readFile(path).catch(() => undefined)
  if (buf === undefined || (dim !== undefined && buf.byteLength !== dim * 4)) return undefined
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
}

/** Writes a row atomically (a temporary file, then a rename), so a crash never leaves half a row. */
export async function writeRow (path: string, row: Float32Array): Promise<void> {
  await writeFile(path + '.tmp', Buffer.from(row.buffer, row.byteOffset, row.byteLength))
  await rename(path + '.tmp', path)
}

/** The photos of an existing replica dir (coco_ssd-300-fill unless said), in its order, as items of the manifests. */
export async function referencePhotos (like = 'coco_ssd-300-fill'): Promise<{ meta: ReplicaMeta, train: Item[], external: Item[] }> {
  const meta = JSON.parse(await readFile(join(REPLICA_DIR, like, 'meta.json'), 'utf8')) as ReplicaMeta
  const resolve = (entries: ReplicaEntry[], items: Item[]): Item[] => {
    const byFile = new Map(items.map(it => [it.file, it]))
    return entries.map(e => { const it = byFile.get(e.file); if (it === undefined) throw new Error(`${e.file}: not in the manifest`); return it })
  }
  return { meta, train: resolve(meta.train, await loadItems(DATA_DIR)), external: resolve(meta.external, await loadItems(join(DATA_DIR, 'external'))) }
}

/** One [rows, width] matrix file of the given column ranges of each row (all columns by default). */
export async function writeMatrix (path: string, rows: Float32Array[], cols: Array<[number, number]> = [[0, rows[0].length]]): Promise<number> {
  const width = cols.reduce((s, [a, b]) => s + b - a, 0)
  const all = new Float32Array(rows.length * width)
  rows.forEach((r, i) => { let o = i * width; for (const [a, b] of cols) { all.set(r.subarray(a, b), o); o += b - a } })
  await writeFile(path, Buffer.from(all.buffer))
  return width
}

/** A replica dir of view 0: train-v0.f32 and external-v0.f32 (the given columns of each row) and meta.json. */
export async function writeReplicaDir (name: string, rows: Record<ReplicaSet, Float32Array[]>, cols: Array<[number, number]>, meta: Record<string, unknown>): Promise<{ dir: string, dim: number }> {
  const dir = join(REPLICA_DIR, name)
  await mkdir(dir, { recursive: true })
  let dim = 0
  for (const set of ['train', 'external'] as const) dim = await writeMatrix(join(dir, `${set}-v0.f32`), rows[set], cols)
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ ...meta, dim }))
  return { dir, dim }
}
