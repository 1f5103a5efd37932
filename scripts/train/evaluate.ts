/**
 * model:eval — grouped held-out evaluation of the shipped recipe (scripts/train/config.ts): leave-one-source-out over
 * source packages, every photo predicted by a head trained without its source, with model/food's temperature.
 * Prints accuracy, food recall, not-food specificity, confusion matrix, calibration and a per-source breakdown;
 * writes data/reports/eval.json. Features come from the same uint8 backbone weights the shipped model carries.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readManifest } from '../../services/models/manifest.js'
import { DATA_DIR, MODEL_DIR, log } from './common.js'
import { loadItems } from './dataset.js'
import { getFeatures, inputSpecFor } from './features.js'
import { crossValidate, evaluationGroups } from './cv.js'
import { computeMetrics, formatMetrics, fmtPct, round } from './metrics.js'
import { FINAL, itemsFor } from './config.js'

await tf.setBackend('wasm'); await tf.ready()
const cfg = FINAL
const items = itemsFor(cfg, await loadItems(DATA_DIR))
const feats = await getFeatures(tf, cfg.backbone, items, cfg.train.views, inputSpecFor(cfg.backbone, cfg.resizeMode, cfg.inputSize))
let temperature = 1; let threshold = 0.5
try {
  const m = await readManifest(MODEL_DIR)
  const evalT = (m.training as { head?: string } | undefined)?.head?.match(/temperature ([0-9.]+)/)
  if (evalT) temperature = Number(evalT[1])
  threshold = m.uncertainThreshold
} catch { log('no model/food manifest: temperature 1') }
const cv = crossValidate(items, feats, cfg.train, (f, m) => log(`held out ${f.heldOut.join('+')}: n=${m.n} acc ${fmtPct(m.accuracy)}`))
const y = items.map(i => i.y)
const p = cv.logits.map(z => 1 / (1 + Math.exp(-z / temperature)))
const pooled = computeMetrics(p, y)
console.log(formatMetrics(`held-out, pooled (leave one source out, temperature ${temperature})`, pooled))
console.log('reliability (top probability bin: n, mean confidence, accuracy)')
for (const r of pooled.reliability) console.log(`  ${r.from.toFixed(2)}-${r.to.toFixed(2)}: ${String(r.n).padStart(4)}  ${r.confidence.toFixed(3)}  ${r.accuracy.toFixed(3)}`)
const conf = p.map(x => Math.max(x, 1 - x))
const certain = conf.map((c, i) => c >= threshold ? i : -1).filter(i => i >= 0)
const mc = computeMetrics(certain.map(i => p[i]), certain.map(i => y[i]))
console.log(`uncertain threshold ${threshold}: ${certain.length}/${y.length} certain (${fmtPct(certain.length / y.length)}), accuracy on them ${fmtPct(mc.accuracy)}`)
const groups = evaluationGroups(items)
console.log('per held-out source:')
const perSource = [...new Set(groups)].sort().map(g => {
  const idx = items.flatMap((_, i) => groups[i] === g ? [i] : [])
  const m = computeMetrics(idx.map(i => p[i]), idx.map(i => y[i]))
  console.log(`  ${g.padEnd(40)} n=${String(m.n).padStart(4)} acc ${fmtPct(m.accuracy).padStart(6)} food recall ${fmtPct(m.foodRecall).padStart(6)} specificity ${fmtPct(m.notFoodSpecificity).padStart(6)}`)
  return { heldOut: g, n: m.n, accuracy: round(m.accuracy), foodRecall: round(m.foodRecall), notFoodSpecificity: round(m.notFoodSpecificity), confusion: m.confusion.matrix }
})
await mkdir(join(DATA_DIR, 'reports'), { recursive: true })
const out = join(DATA_DIR, 'reports', 'eval.json')
await writeFile(out, JSON.stringify({ config: cfg, temperature, pooled, uncertain: { threshold, coverage: certain.length / y.length, accuracy: mc.accuracy }, perSource, predictions: items.map((it, i) => ({ file: it.file, source: it.source, label: it.cls, pFood: round(p[i]) })) }, null, 2))
log(`wrote ${out}`)
