/**
 * Issue 26 (Model v4): pooled features of nsfwjs's InceptionV3 at middle layers and at the top, for the numpy replica of
 * the grouped protocol (scripts/train/replica.py). nsfwjs fine-tuned only mixed6 and above (its layers up to mixed5 are
 * marked trainable: false in model.json), so mixed5 is plain ImageNet InceptionV3; mixed7 is partly tuned; mixed10 (=
 * flatten_1 at 299: its 8x8 AveragePooling2D is global there) is the NSFW-tuned top.
 *
 *   npx tsx scripts/train/inception-features.ts [size] [layers] [--limit N] [--check]
 *   e.g. npx tsx scripts/train/inception-features.ts 299 mixed5,mixed7,mixed10
 *
 * size: square input, "fill" resize, pixels / 255 (nsfwjs's preprocessing; default 299). layers: comma-separated
 * Keras layer names; each is global-average-pooled and the pools are concatenated into one row per photo. The network
 * is cut after the last named layer, fused by scripts/model/fuse.ts and run on onnxruntime through the service's own
 * converter (2 threads). Pixels: augment.ts renderView view 0 (the service's decode and resize), as features.ts does.
 *
 * Photos and their order: data/cache/replica/coco_ssd-300-fill/meta.json (train and external lists), resolved through
 * data/manifest.csv and data/external/manifest.csv. Rows are cached one file per photo under
 * data/cache/features/inception_v3-<size>-fill-<layers joined by +>/v0/<file>.f32 (a rerun resumes). When every photo
 * is done, writes one replica dir per layer, data/cache/replica/inception_v3-<size>-fill-<layer>/ (meta.json with the
 * same train/external entries, train-v0.f32, external-v0.f32), so layers combine with --features on replica.py.
 * --limit N: only the first N training photos (timing; writes no replica dirs). --check: before extracting, compares
 * the onnxruntime rows of 4 photos with the unfused TF.js layers model's (wasm).
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CACHE_DIR, log } from './common.js'
import type { Item } from './dataset.js'
import { referencePhotos, writeReplicaDir, type ReplicaSet } from './replica-io.js'
import { cachedRows, inputSpecFor, type RunBatch } from './features.js'
import { renderView } from './augment.js'
import { readNsfwjsModel } from './backbones.js'
import { onnxExtractor } from './onnx-features.js'
import { fuseLayersModel } from '../model/fuse.js'
import { normalizePixels } from '../../services/image/pixels.js'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1] === '--limit'))
const size = Number(positional[0] ?? '299')
const layerNames = (positional[1] ?? 'mixed5,mixed7,mixed10').split(',')
const limit = flag('--limit') !== undefined ? Number(flag('--limit')) : undefined
const check = args.includes('--check')
const spec = inputSpecFor('inception_v3', 'fill', size)
const BATCH = 8

await tf.setBackend('wasm'); await tf.ready()

/** The layers model cut after the named layers, each global-average-pooled, the pools concatenated. */
async function buildModel (): Promise<{ model: tf.LayersModel, dims: number[] }> {
  const raw = readNsfwjsModel('inception_v3')
  const weightSpecs = raw.modelJson.weightsManifest.flatMap(g => g.weights)
  const full = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: raw.modelJson.modelTopology, weightSpecs, weightData: raw.weightData, format: raw.modelJson.format as string | undefined }))
  // Re-apply the layers to an input of this size (the published model fixes 299). The input keeps the published name:
  // fuse.ts follows each layer's first inbound node, the published graph's.
  const inputLayer = full.inputLayers[0].name
  const input = tf.input({ shape: [size, size, 3], name: inputLayer })
  const outputs = new Map<string, tf.SymbolicTensor>()
  outputs.set(inputLayer, input)
  const last = Math.max(...layerNames.map(n => full.layers.findIndex(l => l.name === n)))
  if (layerNames.some(n => full.layers.findIndex(l => l.name === n) < 0)) throw new Error(`unknown layer in ${layerNames.join(',')}`)
  for (const layer of full.layers.slice(0, last + 1)) {
    if (layer.name === inputLayer) continue
    const nodes = (layer as unknown as { inboundNodes: Array<{ inboundLayers: tf.layers.Layer[] }> }).inboundNodes
    const ins = nodes[0].inboundLayers.map(l => { const t = outputs.get(l.name); if (t === undefined) throw new Error(`${layer.name}: ${l.name} not built`); return t })
    outputs.set(layer.name, layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor)
  }
  const pools = layerNames.map(n => tf.layers.globalAveragePooling2d({ name: `${n}_gap` }).apply(outputs.get(n) as tf.SymbolicTensor) as tf.SymbolicTensor)
  const out = pools.length === 1 ? pools[0] : tf.layers.concatenate({ axis: -1, name: 'pooled' }).apply(pools) as tf.SymbolicTensor
  const dims = pools.map(p => p.shape[1] as number)
  return { model: tf.model({ inputs: input, outputs: out }), dims }
}

/** Multiply-accumulates per image of the convolutions and dense layers up to the cut (pooling and adds not counted). */
function macsOf (model: tf.LayersModel): number {
  let total = 0
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue
    const k = layer.getWeights()[0].shape as number[]
    const o = layer.outputShape as number[]
    total += o[1] * o[2] * o[3] * k[0] * k[1] * k[2]
  }
  return total
}

const { model, dims } = await buildModel()
const dim = dims.reduce((a, b) => a + b, 0)
log(`inception_v3 @${size} fill, layers ${layerNames.join('+')} -> dims ${dims.join('+')} = ${dim}; ${(macsOf(model) / 1e9).toFixed(2)} GMAC per image (convolutions up to ${layerNames[layerNames.length - 1]})`)
const fused = fuseLayersModel(model, 'features')
log(`fused: ${JSON.stringify(fused.stats)}`)
const onnx = await onnxExtractor(fused, dim, 2, 'the fused inception_v3 feature graph')

const photos = await referencePhotos()
const sets: Array<[ReplicaSet, Item[]]> = [['train', photos.train], ['external', photos.external]]
if (limit !== undefined) sets.splice(0, 2, ['train', sets[0][1].slice(0, limit)])

const pixelsOf = async (it: Item): Promise<Float32Array> => normalizePixels((await renderView(await readFile(it.path), it.file, 0, spec)).pixels, spec)

if (check) {
  const its = sets[0][1].slice(0, 4)
  let maxDiff = 0; let maxAbs = 0
  for (const it of its) {
    const x = await pixelsOf(it)
    const a = await onnx.run(x, 1, size)
    const b = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, size, size, 3])) as tf.Tensor).dataSync())
    for (let i = 0; i < dim; i++) { maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i])); maxAbs = Math.max(maxAbs, Math.abs(b[i])) }
  }
  log(`check: onnxruntime vs TF.js layers model on ${its.length} photos: max abs difference ${maxDiff.toExponential(2)} (max |value| ${maxAbs.toFixed(3)})`)
}

const cacheDir = join(CACHE_DIR, 'features', `inception_v3-${size}-fill-${layerNames.join('+')}`, 'v0')
const rows: Record<ReplicaSet, Float32Array[]> = { train: [], external: [] }
const run: RunBatch = async (batch, n) => await onnx.run(batch, n, size)
for (const [set, items] of sets) {
  rows[set] = await cachedRows(items, 0, spec, dim, file => join(cacheDir, `${file}.f32`), async () => run, `inception_v3 ${set}`, BATCH)
}
await onnx.dispose()

if (limit === undefined) {
  let offset = 0
  for (const [l, name] of layerNames.entries()) {
    const d = dims[l]
    const { dir } = await writeReplicaDir(`inception_v3-${size}-fill-${name}`, rows, [[offset, offset + d]], { ...photos.meta, backbone: 'inception_v3', layer: name, pooled: 'global average', spec })
    log(`wrote ${dir} [${rows.train.length} + ${rows.external.length} x ${d}]`)
    offset += d
  }
}
