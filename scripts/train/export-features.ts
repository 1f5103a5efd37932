/**
 * Writes the head's inputs (features.ts: cached, extracted on a miss) as plain float32 matrices for an offline replica
 * of the grouped protocol (scripts/train/replica.py):
 *   npx tsx scripts/train/export-features.ts <backbone@size:resize> [views] [--flip]
 * e.g. `coco_ssd@300:fill 2 --flip`, `mobilenet_v2@224:fill`. Writes data/cache/replica/<backbone>-<size>-<resize>/:
 * train-v<k>.f32 (views 0..views-1 of the training photos, itemsFor('recipe+pack')), train-flip.f32 (their mirror, with
 * --flip), external-v0.f32 / external-flip.f32 (data/external), each [n, dim] row-major, and meta.json (dim, and per
 * photo: file, y (0 food), source, evaluation group of cv.ts).
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DATA_DIR, log } from './common.js'
import { REPLICA_DIR, writeMatrix } from './replica-io.js'
import { loadItems, type Item } from './dataset.js'
import { getFeatures, getMirroredFeatures, inputSpecFor } from './features.js'
import { evaluationGroups } from './cv.js'
import { itemsFor } from './config.js'
import type { BackboneName } from './backbones.js'
import type { ResizeMode } from '../../services/image/pixels.js'

const m = /^([a-z0-9_]+)(?:@(\d+))?(?::(cover|contain|fill))?$/.exec(process.argv[2] ?? '')
if (m === null) throw new Error('usage: export-features.ts <backbone@size:resize> [views] [--flip]')
const name = m[1] as BackboneName
const spec = inputSpecFor(name, (m[3] ?? 'cover') as ResizeMode, m[2] !== undefined ? Number(m[2]) : undefined)
const views = Number(process.argv[3] ?? '1')
const flip = process.argv.includes('--flip')

await tf.setBackend('wasm'); await tf.ready()
const items = itemsFor({ data: 'recipe+pack' }, await loadItems(DATA_DIR))
const external = await loadItems(join(DATA_DIR, 'external'))
const dir = join(REPLICA_DIR, `${name}-${spec.width}-${spec.resizeMode}`)
await mkdir(dir, { recursive: true })
const write = async (file: string, rows: Float32Array[]): Promise<void> => {
  log(`wrote ${join(dir, file)} [${rows.length} x ${await writeMatrix(join(dir, file), rows)}]`)
}
const describe = (its: Item[], groups?: string[]): unknown[] => its.map((it, i) => ({ file: it.file, y: it.y, source: it.source, group: groups?.[i] ?? it.source }))
for (const [set, its] of [['external', external], ['train', items]] as const) {
  const t0 = Date.now()
  const feats = await getFeatures(tf, name, its, set === 'train' ? views : 1, spec)
  for (let v = 0; v < feats.length; v++) await write(`${set}-v${v}.f32`, feats[v])
  if (flip) await write(`${set}-flip.f32`, await getMirroredFeatures(tf, name, its, spec))
  log(`${set}: ${its.length} photos in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
}
await writeFile(join(dir, 'meta.json'), JSON.stringify({ backbone: name, spec, dim: (await getFeatures(tf, name, items.slice(0, 1), 1, spec))[0][0].length, train: describe(items, evaluationGroups(items)), external: describe(external) }))
log(`wrote ${join(dir, 'meta.json')}`)
