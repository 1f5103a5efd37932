/**
 * model:train — rebuilds model/<recipe> (default model/food; --recipe food-v2) from data/ deterministically:
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
import { normalizePixels } from '../../services/image/pixels.js'
import { DATA_DIR, MODEL_DIR, RECIPE, log } from './common.js'
import { loadItems, LABELS, type Item } from './dataset.js'
import { getFeatures, inputSpecFor } from './features.js'
import { crossValidate, evaluationGroups, fitOn, SMALL_GROUP } from './cv.js'
import { fitTemperature, predictFood } from './head.js'
import { chooseFlaggedThreshold, chooseUncertainThreshold, computeMetrics, formatMetrics, round, type Metrics } from './metrics.js'
import { assembleFusedModel, assembleModel, writeModelDir, type ModelFiles } from './assemble.js'
import { maxAbsDiff, median, predictFoodOn, runModel, stratifiedPick, type AnyModel } from './verify.js'
import { BACKBONES, cocoSsdDir, detectorFeatures } from './backbones.js'
import { buildCocoSsdGraph, readCocoSsd, COCO_SSD_PACKAGE } from '../model/coco-ssd.js'
import { headAsDense } from './head.js'
import { TfjsClassifier } from '../../services/engines/tfjs/classifier.js'
import { renderView } from './augment.js'
import { FINAL, itemsFor } from './config.js'
import { modelCard, type ExternalResult } from './card.js'
import { mistakeGrid } from './mistakes.js'

const cfg = FINAL
await tf.setBackend('wasm'); await tf.ready()
const items = itemsFor(cfg, await loadItems(DATA_DIR))
log(`${items.length} photos (${items.filter(i => i.y === 0).length} food, ${items.filter(i => i.y === 1).length} not_food) from ${new Set(items.map(i => i.source)).size} source packages`)
const spec = inputSpecFor(cfg.backbone, cfg.resizeMode, cfg.inputSize)
const backboneInfo = BACKBONES[cfg.backbone]
const feats = await getFeatures(tf, cfg.backbone, items, cfg.train.views, spec)

log('grouped evaluation (leave one source out)')
const cv = crossValidate(items, feats, cfg.train, (f, m) => log(`  held out ${f.heldOut.join('+')}: n=${m.n} acc ${(m.accuracy * 100).toFixed(1)}%`))
const labels = items.map(it => it.y)
const temperature = fitTemperature(cv.logits, labels)
const pCal = cv.logits.map(z => 1 / (1 + Math.exp(-z / temperature)))
const heldOut = computeMetrics(pCal, labels)
const uncertain = 'maxFlagged' in cfg.uncertain ? chooseFlaggedThreshold(pCal, labels, cfg.uncertain.maxFlagged) : chooseUncertainThreshold(pCal, labels, cfg.uncertain.target)
console.log(formatMetrics('held-out (pooled, uncalibrated)', cv.pooled))
console.log(formatMetrics(`held-out (pooled, temperature ${temperature.toFixed(2)})`, heldOut))

log('final head on all photos')
const head = fitOn(items, feats, items.map((_, i) => i), cfg.train)
head.temperature = temperature
let files: ModelFiles
let unfused: AnyModel | undefined
let opCounts: Record<string, number> | undefined
if (backboneInfo.format === 'layers-model') {
  const a = await assembleFusedModel(tf, cfg.backbone, head)
  files = a.fused; unfused = a.layers; opCounts = a.opCounts
} else if (backboneInfo.source === 'coco-ssd') {
  const g = buildCocoSsdGraph(await readCocoSsd(cocoSsdDir()), headAsDense(head))
  files = { modelJson: g.modelJson as unknown as Record<string, unknown>, weights: Buffer.from(g.weightData.buffer, g.weightData.byteOffset, g.weightData.byteLength) }
  opCounts = g.opCounts
} else {
  files = assembleModel(cfg.backbone, head)
}
const asGraph = async (f: ModelFiles): Promise<tf.GraphModel> => {
  const json = f.modelJson as { modelTopology: object, weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> }
  return await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap(g => g.weights), weightData: new Uint8Array(f.weights).buffer, format: 'graph-model' }))
}

// Fusion check: the shipped (fused) graph against the unfused layers model, on real photos of both classes
const checkIdx = stratifiedPick(labels, 30)
const checkPixels = await Promise.all(checkIdx.map(async i => (await renderView(await readFile(items[i].path), items[i].file, 0, spec)).pixels))
const checkInputs = checkPixels.map(p => normalizePixels(p, spec))
const runEach = async (m: AnyModel): Promise<{ rows: Float32Array[], ms: number[] }> => {
  const rows: Float32Array[] = []; const ms: number[] = []
  for (const input of checkInputs) {
    const t0 = performance.now()
    const x = tf.tensor4d(input, [1, spec.height, spec.width, 3])
    const y = runModel(m, x)
    rows.push(await y.data() as Float32Array)
    ms.push(performance.now() - t0)
    x.dispose(); y.dispose()
  }
  return { rows, ms }
}
const fusedInMemory = await asGraph(files)
await runEach(fusedInMemory) // warm-up
const fusedRun = await runEach(fusedInMemory)
let fusion: { maxAbsDiff: number, photos: number, opCounts: Record<string, number> } | undefined
let timing: Record<string, number> | undefined
if (unfused !== undefined) {
  await runEach(unfused)
  const unfusedRun = await runEach(unfused)
  const fusedAgain = await runEach(fusedInMemory)
  fusion = { maxAbsDiff: maxAbsDiff(fusedRun.rows, unfusedRun.rows), photos: checkIdx.length, opCounts: opCounts ?? {} }
  timing = { photos: checkIdx.length, fusedMedianMs: round(median([...fusedRun.ms, ...fusedAgain.ms]), 1), unfusedMedianMs: round(median(unfusedRun.ms), 1) }
  log(`fused graph vs unfused layers model on ${checkIdx.length} photos (${checkIdx.filter(i => labels[i] === 0).length} food): max abs diff ${fusion.maxAbsDiff.toExponential(2)}`)
  log(`wasm per image, batch 1, median: fused graph ${timing.fusedMedianMs} ms`)
  log(`wasm per image, batch 1, median: unfused layers ${timing.unfusedMedianMs} ms`)
  if (fusion.maxAbsDiff > 1e-4) throw new Error(`fused model disagrees with the layers model (max abs diff ${fusion.maxAbsDiff})`)
  unfused.dispose()
} else if (backboneInfo.source === 'coco-ssd') {
  // The cut, folded graph against the detector as published (its own preprocessing, every op as shipped) -> head
  const original = await detectorFeatures(tf, checkPixels, spec)
  const expected = original.map(f => { const p = predictFood(head, f); return Float32Array.from([p, 1 - p]) })
  fusion = { maxAbsDiff: maxAbsDiff(fusedRun.rows, expected), photos: checkIdx.length, opCounts: opCounts ?? {} }
  timing = { photos: checkIdx.length, fusedMedianMs: round(median(fusedRun.ms), 1) }
  log(`cut graph vs the published detector's features -> head on ${checkIdx.length} photos: max abs diff ${fusion.maxAbsDiff.toExponential(2)}`)
  if (fusion.maxAbsDiff > 1e-4) throw new Error(`cut graph disagrees with the detector (max abs diff ${fusion.maxAbsDiff})`)
}
fusedInMemory.dispose()

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
  uncertain: { threshold: uncertain.threshold, coverage: round(uncertain.coverage), accuracyAbove: round(uncertain.accuracyAbove), ...'accuracyBelow' in uncertain ? { accuracyBelow: round(uncertain.accuracyBelow as number) } : {}, rule: cfg.uncertain },
  perSource
}
/** How each backbone's shipped graph was made, and what it was checked against. */
const FUSION_NOTES: Record<typeof backboneInfo.source, { by: string, comparedWith: string }> = {
  'coco-ssd': { by: 'scripts/model/coco-ssd.ts: preprocessing loop, box encodings, anchors and NMS cut; batch norm (Mul+Add, FusedBatchNorm) folded into the convolutions, ReLU6 fused; head as _FusedMatMul + Softmax', comparedWith: 'the published detector graph (its own preprocessing, executeAsync) -> pooled Conv_1 + max convert_scores -> head in JS, batch 1, wasm' },
  nsfwjs: { by: 'scripts/model/fuse.ts: Conv2D/DepthwiseConv2D + BatchNormalization + ReLU6 folded into fused ops, ZeroPadding2D folded into the conv where it equals SAME, Dense into _FusedMatMul, float32 weights', comparedWith: 'the unfused layers model (nsfwjs layers up to flatten_1 + the head as Dense(2, softmax)), batch 1, wasm' }
}
const version = cfg.version
const manifest = {
  name: cfg.name,
  version,
  description: backboneInfo.source === 'coco-ssd'
    ? 'Food / not-food photo classifier: the COCO-SSD detector\'s backbone (SSDLite MobileNetV2 trained on COCO), pooled, with its best score per COCO class, + logistic head trained on real photos (Debian and npm packages, the photo packs).'
    : `Food / not-food photo classifier: nsfwjs ${cfg.backbone} backbone (ImageNet-pretrained MobileNetV2) + logistic head trained on real photos from Debian and npm packages.`,
  labels: [...LABELS],
  input: spec,
  outputActivation: 'none' as const,
  uncertainThreshold: uncertain.threshold,
  metrics,
  training: {
    backbone: backboneInfo.source === 'coco-ssd'
      ? `${COCO_SSD_PACKAGE} (Apache-2.0): SSDLite MobileNetV2 COCO, cut to the pooled Conv_1 map (1280) + max sigmoid score per COCO class over all anchors (91), ${spec.width}x${spec.height}, batch norm folded, float32`
      : `nsfwjs@4.4.0 ${cfg.backbone} (${spec.width}x${spec.height}, ${backboneInfo.format === 'layers-model' ? 'uint8 weights as shipped, dequantised and fused to float32' : 'weights uint8 as shipped'})`,
    head: `logistic regression as 2-way softmax, L2 ${cfg.train.head.l2}, ${cfg.train.head.iterations} full-batch Adam steps, source balance alpha ${cfg.train.head.sourceAlpha}, temperature ${round(temperature, 3)} folded in`,
    data: { script: `scripts/data/data.sh (../shared/data/build_dataset.sh${cfg.data === 'recipe+pack' ? ' + scripts/data/extra.ts: ../shared/data/photos-extra, -2, -3 + scripts/data/stamps.ts: tuxpaint-stamps-default and gcompris-qt-data cut-outs' : ''})`, photos: items.length, food: items.filter(i => i.y === 0).length, notFood: items.filter(i => i.y === 1).length, sources },
    augmentation: cfg.train.views > 1 ? `${cfg.train.views - 1} augmented views per photo (white background replaced by synthetic backgrounds, random crop, flip, colour jitter, greyscale)` : 'none',
    seed: cfg.seed,
    procedure: 'npm run data && npm run model:train (scripts/train/train.ts)',
    ...(fusion !== undefined ? { fusion: { ...fusion, ...FUSION_NOTES[backboneInfo.source] } } : {})
  }
}

// write, then reload as the service does and check it
const written = await writeModelDir(MODEL_DIR, files, manifest)
log(`wrote ${MODEL_DIR} (sha256 ${written.sha256})`)
const classifier = await TfjsClassifier.load(MODEL_DIR)
const reloaded = await Promise.all(checkPixels.map(async pixels => (await classifier.predictBatch([pixels]))[0]))
classifier.dispose()
const reloadDiff = maxAbsDiff(reloaded, fusedRun.rows)
let maxDiff = 0
checkIdx.forEach((i, k) => { maxDiff = Math.max(maxDiff, Math.abs(reloaded[k][0] - predictFood(head, feats[0][i])), Math.abs(reloaded[k][0] + reloaded[k][1] - 1)) })
log(`${RECIPE} reloaded through TfjsClassifier.load vs the model in memory on ${checkIdx.length} photos: max abs diff ${reloadDiff.toExponential(2)}`)
log(`${RECIPE} vs features->head on ${checkIdx.length} photos: max abs diff ${maxDiff.toExponential(2)}`)
if (reloadDiff > 1e-6) throw new Error(`reloaded ${RECIPE} disagrees with the model written (max abs diff ${reloadDiff})`)
if (maxDiff > 1e-4) throw new Error(`assembled model disagrees with the head (max abs diff ${maxDiff})`)
// The external test set (data/external, never trained on, nothing chosen on it) through the model as the service loads it
let external: ExternalResult | undefined
const externalItems = await loadItems(join(DATA_DIR, 'external')).catch(() => [] as Item[])
if (externalItems.length > 0) {
  const reread = await TfjsClassifier.load(MODEL_DIR)
  const pFood = await predictFoodOn(reread, externalItems)
  reread.dispose()
  const [[ff, fn], [, nn]] = computeMetrics(pFood, externalItems.map(it => it.y)).confusion.matrix
  external = {
    n: externalItems.length,
    right: ff + nn,
    food: ff + fn,
    foodRight: ff,
    notFoodRight: nn,
    misses: externalItems.flatMap((it, i) => (pFood[i] >= 0.5) === (it.y === 0) ? [] : [{ file: it.file, label: it.cls, pFood: round(pFood[i], 3) }])
  }
  log(`external set: ${external.right} of ${external.n} right (food ${external.foodRight}/${external.food}, not food ${external.notFoodRight}/${external.n - external.food})`)
}
// A contact sheet of the most confident held-out mistakes for the card
const gridFile = 'mistakes.jpg'
const gridTmp = join(DATA_DIR, 'reports', `${RECIPE}-${gridFile}`)
await mkdir(join(DATA_DIR, 'reports'), { recursive: true })
const shown = errors.length > 0 ? await mistakeGrid(errors.map(e => ({ ...e, path: items.find(it => it.file === e.file)?.path as string })), gridTmp) : []
const evalJson = { ...metrics, errors, external, temperature: round(temperature, 4), assemblyMaxAbsDiff: maxDiff, reloadMaxAbsDiff: reloadDiff, fusion, timing, config: cfg }
await writeModelDir(MODEL_DIR, files, manifest, {
  'eval.json': JSON.stringify(evalJson, null, 2) + '\n',
  'MODEL_CARD.md': modelCard({ manifest: written, metrics, temperature, errors, items, cfg, recipe: RECIPE, fusion, timing, external, grid: shown.length > 0 ? { file: gridFile, shown } : undefined })
}, shown.length > 0 ? { [gridFile]: await readFile(gridTmp) } : {})
await writeFile(join(DATA_DIR, 'reports', 'train-eval.json'), JSON.stringify(evalJson, null, 2))
log('done')
export type { Item }
