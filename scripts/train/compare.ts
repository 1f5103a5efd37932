/**
 * Grouped comparison of backbones and training settings (model:compare). Uses cached features (extracts on a
 * miss). Usage: npx tsx scripts/train/compare.ts [backbone,...] [views,...] [l2,...] [sourceAlpha,...]
 * Backbones as name[@size][:resizeMode] (coco_ssd@300:fill). RECIPE_ONLY=1 leaves the photo pack out.
 * COCO_FEATURES=gap|scores keeps only the pooled map (1280) or only the class scores (91) of coco_ssd.
 * WITH_EXTERNAL=1 adds the external test set (data/external) to the photos, as if it were training data: it shows how
 * the grouped figures move when a few more sources join (MODEL_CARD.md).
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { DATA_DIR, log } from './common.js'
import { loadItems } from './dataset.js'
import { getFeatures } from './features.js'
import { crossValidate, DEFAULT_CONFIG, type TrainConfig } from './cv.js'
import { fmtPct, round } from './metrics.js'
import type { BackboneName } from './backbones.js'
import { inputSpecFor } from './features.js'
import { itemsFor } from './config.js'
import { GAP_DIM } from '../model/coco-ssd.js'
import type { ResizeMode } from '../../services/image/pixels.js'

/** Backbones as name[@size][:resizeMode], e.g. coco_ssd@300:fill (default: the backbone's size, cover). */
const backbones = (process.argv[2] ?? 'mobilenet_v2,mobilenet_v2_mid').split(',').map(b => {
  const m = /^([a-z0-9_]+)(?:@(\d+))?(?::(cover|contain|fill))?$/.exec(b)
  if (m === null) throw new Error(`bad backbone ${b}`)
  return { label: b, name: m[1] as BackboneName, spec: inputSpecFor(m[1] as BackboneName, (m[3] ?? 'cover') as ResizeMode, m[2] !== undefined ? Number(m[2]) : undefined) }
})
const viewsList = (process.argv[3] ?? '1').split(',').map(Number)
const l2List = (process.argv[4] ?? String(DEFAULT_CONFIG.head.l2)).split(',').map(Number)
const alphaList = (process.argv[5] ?? String(DEFAULT_CONFIG.head.sourceAlpha)).split(',').map(Number)

await tf.setBackend('wasm'); await tf.ready()
const items = [...itemsFor({ data: process.env.RECIPE_ONLY === '1' ? 'recipe' : 'recipe+pack' }, await loadItems(DATA_DIR)), ...process.env.WITH_EXTERNAL === '1' ? await loadItems(join(DATA_DIR, 'external')) : []]
const rows: unknown[] = []
for (const { label: bb, name, spec } of backbones) {
  const all = await getFeatures(tf, name, items, Math.max(...viewsList), spec)
  const part = name === 'coco_ssd' ? process.env.COCO_FEATURES : undefined
  const feats = part === undefined ? all : all.map(v => v.map(f => part === 'gap' ? f.subarray(0, GAP_DIM) : f.subarray(GAP_DIM)))
  for (const views of viewsList) {
    for (const l2 of l2List) {
      for (const sourceAlpha of alphaList) {
        const cfg: TrainConfig = { views, head: { ...DEFAULT_CONFIG.head, l2, sourceAlpha } }
        const t0 = Date.now()
        const r = crossValidate(items, feats, cfg)
        const p = r.pooled
        const per = r.folds.map(f => `${f.heldOut[0].slice(0, 18)}:${fmtPct(f.metrics.accuracy)}`).join(' ')
        console.log(`${bb}${part !== undefined ? ` (${part} only)` : ''} views=${views} l2=${l2} alpha=${sourceAlpha}: acc ${fmtPct(p.accuracy)} foodR ${fmtPct(p.foodRecall)} spec ${fmtPct(p.notFoodSpecificity)} ECE ${p.ece.toFixed(3)} ll ${p.logLoss.toFixed(3)} [${((Date.now() - t0) / 1000).toFixed(0)}s]\n   ${per}`)
        rows.push({ backbone: bb, views, l2, sourceAlpha, accuracy: round(p.accuracy), foodRecall: round(p.foodRecall), notFoodSpecificity: round(p.notFoodSpecificity), ece: round(p.ece), logLoss: round(p.logLoss), perSource: r.folds.map(f => ({ heldOut: f.heldOut, n: f.metrics.n, accuracy: round(f.metrics.accuracy), foodRecall: round(f.metrics.foodRecall), notFoodSpecificity: round(f.metrics.notFoodSpecificity) })) })
      }
    }
  }
}
await mkdir(join(DATA_DIR, 'reports'), { recursive: true })
const out = join(DATA_DIR, 'reports', `compare-${Date.now()}.json`)
await writeFile(out, JSON.stringify(rows, null, 2))
log(`wrote ${out}`)
